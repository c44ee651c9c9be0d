/* Runs in UEFI boot services, as a guest of onestone by now: finds the
 * volume the boot target is loaded from: onestone's own, the FAT volume
 * with a label, or the GPT partition with a unique partition GUID. For a
 * GUID every controller is connected first (recursively, option ROM
 * drivers included), so a disk behind a card the firmware's fast boot
 * skipped is seen; a GUID that matches no partition, or more than one, is
 * refused with what was found. */
#include "boot/boot.h"
#include "hv/core/log.h"

/* a hard-drive media node: UEFI 2.10 10.3.5.1 (gnu-efi's
 * HARDDRIVE_DEVICE_PATH, read by offset: the node is 42 bytes, packed) */
#define HD_NODE_LENGTH 42
#define HD_SIGNATURE 24
#define HD_SIGNATURE_TYPE 41

static BOOLEAN label_matches(EFI_HANDLE handle, const char *label)
{
    EFI_FILE_HANDLE root = LibOpenRoot(handle);
    if (!root)
        return FALSE;
    EFI_FILE_SYSTEM_INFO *info = LibFileSystemInfo(root);
    BOOLEAN match = FALSE;
    if (info) {
        const CHAR16 *v = info->VolumeLabel;
        UINTN i = 0;
        while (label[i] && v[i] == (CHAR16)(unsigned char)label[i])
            i++;
        match = label[i] == 0 && v[i] == 0;
        FreePool(info);
    }
    uefi_call_wrapper(root->Close, 1, root);
    return match;
}

/* the GPT partition GUID of HANDLE's last hard-drive node, if it has one */
static BOOLEAN partition_guid(EFI_HANDLE handle, UINT8 guid[16])
{
    EFI_DEVICE_PATH *dp = DevicePathFromHandle(handle);
    BOOLEAN found = FALSE;
    for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
        const UINT8 *node = (const UINT8 *)dp;
        if (DevicePathType(dp) == MEDIA_DEVICE_PATH && DevicePathSubType(dp) == MEDIA_HARDDRIVE_DP &&
            DevicePathNodeLength(dp) >= HD_NODE_LENGTH &&
            node[HD_SIGNATURE_TYPE] == SIGNATURE_TYPE_GUID) {
            CopyMem(guid, (void *)(node + HD_SIGNATURE), 16);
            found = TRUE;
        }
    }
    return found;
}

static void connect_all_controllers(void)
{
    UINTN count = 0;
    EFI_HANDLE *handles = NULL;
    if (EFI_ERROR(LibLocateHandle(AllHandles, NULL, NULL, &count, &handles)))
        return;
    for (UINTN i = 0; i < count; i++)
        uefi_call_wrapper(BS->ConnectController, 4, handles[i], NULL, NULL, TRUE);
    FreePool(handles);
}

/* HANDLE's device path as text, in ASCII */
static const char *device_path_text(EFI_HANDLE handle, char *out, UINTN cap)
{
    CHAR16 *text = DevicePathToStr(DevicePathFromHandle(handle));
    UINTN i = 0;
    for (; text && text[i] && i + 1 < cap; i++)
        out[i] = text[i] < 0x80 ? (char)text[i] : '?';
    out[i] = 0;
    if (!text)
        return "(no device path)";
    FreePool(text);
    return out;
}

static EFI_HANDLE find_by_guid(const struct onestone_config *c)
{
    connect_all_controllers();
    UINTN count = 0;
    EFI_HANDLE *handles = NULL;
    if (EFI_ERROR(LibLocateHandle(ByProtocol, &BlockIoProtocol, NULL, &count, &handles)))
        count = 0;
    EFI_HANDLE found = NULL;
    unsigned matches = 0, partitions = 0;
    char path[200];
    for (UINTN i = 0; i < count; i++) {
        UINT8 guid[16];
        if (!partition_guid(handles[i], guid))
            continue;
        partitions++;
        if (CompareMem(guid, (void *)c->boot_volume_guid, 16) == 0) {
            if (++matches == 2) {
                LOG_ERR("boot_volume: partuuid:%s names more than one partition:", c->boot_volume_label);
                LOG_ERR("  %s", device_path_text(found, path, sizeof path));
            }
            if (matches >= 2)
                LOG_ERR("  %s", device_path_text(handles[i], path, sizeof path));
            found = handles[i];
        }
    }
    if (matches == 0) {
        LOG_ERR("boot_volume: no GPT partition has the GUID %s (%u GPT partitions on the connected disks%s)",
                c->boot_volume_label, partitions, partitions ? ", listed below" : "");
        for (UINTN i = 0, shown = 0; i < count && shown < 16; i++) {
            UINT8 guid[16];
            if (partition_guid(handles[i], guid)) {
                LOG_ERR("  %s", device_path_text(handles[i], path, sizeof path));
                shown++;
            }
        }
    }
    if (handles)
        FreePool(handles);
    if (matches == 0)
        return NULL;
    if (matches > 1) {
        LOG_ERR("boot_volume: a cloned disk? give each partition its own GUID or name the volume by label");
        return NULL;
    }
    void *fs;
    if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, found, &FileSystemProtocol, &fs))) {
        LOG_ERR("boot_volume: the partition with GUID %s has no file system the firmware reads (FAT)",
                c->boot_volume_label);
        LOG_ERR("  %s", device_path_text(found, path, sizeof path));
        return NULL;
    }
    LOG_INF("boot_volume: partuuid:%s is %s", c->boot_volume_label,
            device_path_text(found, path, sizeof path));
    return found;
}

EFI_HANDLE boot_volume_find(EFI_HANDLE image, const struct onestone_config *c)
{
    if (c->boot_volume_kind == BOOT_VOLUME_SELF) {
        EFI_LOADED_IMAGE *loaded;
        if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol,
                                        (void **)&loaded)))
            return NULL;
        return loaded->DeviceHandle;
    }
    if (c->boot_volume_kind == BOOT_VOLUME_PARTUUID)
        return find_by_guid(c);
    UINTN count = 0;
    EFI_HANDLE *handles = NULL;
    if (EFI_ERROR(LibLocateHandle(ByProtocol, &FileSystemProtocol, NULL, &count, &handles)))
        return NULL;
    EFI_HANDLE found = NULL;
    for (UINTN i = 0; i < count && !found; i++)
        if (label_matches(handles[i], c->boot_volume_label))
            found = handles[i];
    FreePool(handles);
    if (!found)
        LOG_ERR("boot_volume: no FAT volume has the label '%s'", c->boot_volume_label);
    return found;
}
