/* Runs in UEFI boot services: mirrors onestone's log lines to the firmware
 * console (screen), so a user without a serial cable sees them too. */
#include "boot/boot.h"

void console_mirror_line(const char *line)
{
    CHAR16 buf[256];
    UINTN i = 0;
    for (; line[i] && i < 253; i++)
        buf[i] = (CHAR16)(unsigned char)line[i];
    buf[i++] = L'\r';
    buf[i++] = L'\n';
    buf[i] = 0;
    uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, buf);
}
