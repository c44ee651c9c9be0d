/* boot/config.c: the onestone.conf parser shared by onestone.efi and
 * tools/onestone-conf. A bad file must be refused whole, with a line number
 * and a message a person can act on, because onestone reports it on the
 * console before it boots anything. */
#include <stdlib.h>
#include "onestone/config.h"
#include "unit.h"

static struct onestone_config defaults;

static int parse(const char *text, struct onestone_config *out, struct config_error *err)
{
    /* garbage first: config_parse must set every field itself */
    memset(out, 0xA5, sizeof *out);
    memset(err, 0xA5, sizeof *err);
    return config_parse(text, strlen(text), out, err);
}

/* Parses `text` (length `len`, so NUL bytes can be tested), expecting an
 * error on `line` whose message contains both `what` and `detail`. */
static void expect_error_n(const char *text, size_t len, unsigned line,
                           const char *what, const char *detail, int src_line)
{
    struct onestone_config out;
    struct config_error err;
    memset(&out, 0xA5, sizeof out);
    memset(&err, 0xA5, sizeof err);
    int rc = config_parse(text, len, &out, &err);
    if (!CHECK_EQ_U64(rc, (uint64_t)-1) || !CHECK_EQ_U64(err.line, line))
        printf("  (case at %s:%d, message \"%.*s\")\n", __FILE__, src_line,
               (int)sizeof err.message, err.message);
    /* the message must be a terminated string within its buffer */
    CHECK(memchr(err.message, 0, sizeof err.message) != NULL);
    if (!CHECK_CONTAINS(err.message, what) || (detail && !CHECK_CONTAINS(err.message, detail)))
        printf("  (case at %s:%d)\n", __FILE__, src_line);
    /* a bad file never half-applies */
    if (!CHECK(memcmp(&out, &defaults, sizeof out) == 0))
        printf("  (case at %s:%d: output not at defaults)\n", __FILE__, src_line);
}

#define EXPECT_ERROR(text, line, what, detail) \
    expect_error_n((text), strlen(text), (line), (what), (detail), __LINE__)

static void test_defaults(void)
{
    struct onestone_config c;
    memset(&c, 0xA5, sizeof c);
    config_defaults(&c);
    CHECK_EQ_U64(c.console_port, 0x3F8);
    CHECK_EQ_U64(c.console_baud, 115200);
    CHECK_EQ_U64(c.boot_volume_kind, BOOT_VOLUME_SELF);
    CHECK_STREQ(c.boot_volume_label, "");
    CHECK_STREQ(c.boot_path, "\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
    CHECK_STREQ(c.boot_args, "");
    CHECK(!c.hide_hypervisor);
    CHECK_EQ_U64(c.log_level, LOG_INFO);
    CHECK_EQ_U64(c.iommu, IOMMU_REQUIRED);   /* safe by default */

    /* an empty file, or one with only comments, is the defaults */
    struct config_error err;
    CHECK_EQ_U64(parse("", &c, &err), 0);
    CHECK(memcmp(&c, &defaults, sizeof c) == 0);
    CHECK_EQ_U64(parse("# nothing\n\n   \t\n  # indented comment\n", &c, &err), 0);
    CHECK(memcmp(&c, &defaults, sizeof c) == 0);
    CHECK_EQ_U64(err.line, 0);

    CHECK_STREQ(config_log_level_name(LOG_ERROR), "error");
    CHECK_STREQ(config_log_level_name(LOG_DEBUG), "debug");
}

static void test_full_file(void)
{
    static const char text[] =
        "# onestone.conf: every key\n"
        "\n"
        "console = com2\n"
        "baud=57600\n"
        "\tboot_volume = label:WIN DISK  \n"
        "boot_path = \\EFI\\test\\testguest.efi\n"
        "boot_args = -x #not-a-comment --y=1 # still args\n"
        "hide_hypervisor = yes\n"
        "iommu = off\n"
        "selftest = vtd\n"
        "log_level = debug";         /* no newline at the end */
    struct onestone_config c;
    struct config_error err;
    CHECK_EQ_U64(parse(text, &c, &err), 0);
    CHECK_EQ_U64(err.line, 0);
    CHECK_EQ_U64(c.console_port, 0x2F8);
    CHECK_EQ_U64(c.console_baud, 57600);
    CHECK_EQ_U64(c.boot_volume_kind, BOOT_VOLUME_LABEL);
    CHECK_STREQ(c.boot_volume_label, "WIN DISK");
    CHECK_STREQ(c.boot_path, "\\EFI\\test\\testguest.efi");
    /* '#' may be a real argument: boot_args keeps the rest of the line */
    CHECK_STREQ(c.boot_args, "-x #not-a-comment --y=1 # still args");
    CHECK(c.hide_hypervisor);
    CHECK_EQ_U64(c.log_level, LOG_DEBUG);
    CHECK_EQ_U64(c.iommu, IOMMU_OFF);
    CHECK_EQ_U64(c.selftest, SELFTEST_VTD);
}

static void test_values(void)
{
    struct onestone_config c;
    struct config_error err;

    CHECK_EQ_U64(parse("console = none\n", &c, &err), 0);
    CHECK_EQ_U64(c.console_port, 0);
    CHECK_EQ_U64(parse("console = com1\n", &c, &err), 0);
    CHECK_EQ_U64(c.console_port, 0x3F8);
    CHECK_EQ_U64(parse("boot_volume = self\n", &c, &err), 0);
    CHECK_EQ_U64(c.boot_volume_kind, BOOT_VOLUME_SELF);

    /* a partition GUID: kept as written (lower case) and as EFI_GUID bytes */
    CHECK_EQ_U64(parse("boot_volume = partuuid:4F6E6573-746f-6e65-5553-420000000001\n", &c, &err), 0);
    CHECK_EQ_U64(c.boot_volume_kind, BOOT_VOLUME_PARTUUID);
    CHECK_STREQ(c.boot_volume_label, "4f6e6573-746f-6e65-5553-420000000001");
    static const uint8_t want_guid[16] = { 0x73, 0x65, 0x6e, 0x4f, 0x6f, 0x74, 0x65, 0x6e,
                                           0x55, 0x53, 0x42, 0x00, 0x00, 0x00, 0x00, 0x01 };
    CHECK(memcmp(c.boot_volume_guid, want_guid, 16) == 0);

    static const struct { const char *v; bool hide; } hv[] = {
        { "yes", true }, { "true", true }, { "1", true },
        { "no", false }, { "false", false }, { "0", false },
    };
    for (size_t i = 0; i < sizeof hv / sizeof hv[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "hide_hypervisor = %s\n", hv[i].v);
        c.hide_hypervisor = !hv[i].hide;
        if (!CHECK_EQ_U64(parse(text, &c, &err), 0))
            printf("  (hide_hypervisor = %s: %s)\n", hv[i].v, err.message);
        CHECK_EQ_U64(c.hide_hypervisor, hv[i].hide);
    }

    static const char *const levels[] = { "error", "warn", "info", "debug" };
    for (int l = 0; l < 4; l++) {
        char text[64];
        snprintf(text, sizeof text, "log_level = %s\n", levels[l]);
        CHECK_EQ_U64(parse(text, &c, &err), 0);
        CHECK_EQ_U64(c.log_level, l);
    }

    /* every divisor of 115200 from 1200 up, decimal or hex */
    static const uint32_t bauds[] = { 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200 };
    for (size_t i = 0; i < sizeof bauds / sizeof bauds[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "baud = %u\n", bauds[i]);
        CHECK_EQ_U64(parse(text, &c, &err), 0);
        CHECK_EQ_U64(c.console_baud, bauds[i]);
    }
    CHECK_EQ_U64(parse("baud = 0x1C200\n", &c, &err), 0);
    CHECK_EQ_U64(c.console_baud, 115200);

    /* '=' inside boot_args belongs to the value; the first '=' splits */
    CHECK_EQ_U64(parse("boot_args = a=b c==d\n", &c, &err), 0);
    CHECK_STREQ(c.boot_args, "a=b c==d");
}

static void test_layout(void)
{
    struct onestone_config c;
    struct config_error err;

    /* CRLF files (written on Windows) and trailing comments */
    static const char crlf[] =
        "# comment\r\n"
        "\r\n"
        "console = com2   # the second port\r\n"
        "baud = 9600#no space before the comment\r\n"
        "log_level = warn\t# quieter\r\n"
        "boot_path = \\EFI\\x.efi\r\n"
        "boot_args = a b\r\n";
    CHECK_EQ_U64(parse(crlf, &c, &err), 0);
    CHECK_EQ_U64(c.console_port, 0x2F8);
    CHECK_EQ_U64(c.console_baud, 9600);
    CHECK_EQ_U64(c.log_level, LOG_WARN);
    CHECK_STREQ(c.boot_path, "\\EFI\\x.efi");
    CHECK_STREQ(c.boot_args, "a b");    /* no '\r' left at the end */

    /* line numbers count blank and comment lines (and CRLF lines once) */
    EXPECT_ERROR("# one\r\n\r\n  # three\r\nconsole = com9\r\n", 4, "console", "com9");
}

static void test_errors(void)
{
    EXPECT_ERROR("colour = red\n", 1, "unknown key", "colour");
    EXPECT_ERROR("baud = 9600\nconsole = com1\nbaud = 19200\n", 3, "baud", "twice");
    EXPECT_ERROR("console com1\n", 1, "key = value", "console com1");
    EXPECT_ERROR("console =\n", 1, "console", "no value");
    EXPECT_ERROR("log_level = # all comment\n", 1, "log_level", "no value");
    EXPECT_ERROR(" = com1\n", 1, "unknown key", NULL);

    EXPECT_ERROR("baud = 12345\n", 1, "baud", "12345");
    EXPECT_ERROR("baud = 0\n", 1, "baud", "'0'");
    EXPECT_ERROR("baud = 999999999999\n", 1, "baud", "999999999999");
    EXPECT_ERROR("baud = 600\n", 1, "baud", "600");      /* divides, too slow */
    EXPECT_ERROR("baud = 230400\n", 1, "baud", "230400");
    EXPECT_ERROR("baud = 9600x\n", 1, "baud", "9600x");
    EXPECT_ERROR("baud = -9600\n", 1, "baud", "-9600");
    EXPECT_ERROR("baud = 0x\n", 1, "baud", "0x");

    EXPECT_ERROR("iommu = maybe\n", 1, "iommu", "maybe");
    EXPECT_ERROR("selftest = all\n", 1, "selftest", "none or vtd");
    EXPECT_ERROR("iommu = on\n", 1, "iommu", "required or off");
    EXPECT_ERROR("console = com3\n", 1, "console", "com3");
    EXPECT_ERROR("console = COM1\n", 1, "console", "COM1");

    EXPECT_ERROR("boot_path = EFI\\x.efi\n", 1, "boot_path", "EFI\\x.efi");
    EXPECT_ERROR("boot_path = /EFI/x.efi\n", 1, "boot_path", "'\\'");

    EXPECT_ERROR("hide_hypervisor = maybe\n", 1, "hide_hypervisor", "maybe");
    EXPECT_ERROR("hide_hypervisor = YES\n", 1, "hide_hypervisor", "YES");
    EXPECT_ERROR("log_level = verbose\n", 1, "log_level", "verbose");
    EXPECT_ERROR("boot_volume = usb\n", 1, "boot_volume", "usb");
    EXPECT_ERROR("boot_volume = label:\n", 1, "boot_volume", "label:");
    EXPECT_ERROR("boot_volume = partuuid:\n", 1, "boot_volume", "partuuid:");
    EXPECT_ERROR("boot_volume = partuuid:4f6e6573-746f-6e65-5553-42000000000\n", 1, "boot_volume",
                 "is not a GUID");
    EXPECT_ERROR("boot_volume = partuuid:4f6e6573-746f-6e65-5553-42000000000g\n", 1, "boot_volume",
                 "42000000000g");
    EXPECT_ERROR("boot_volume = partuuid:4f6e6573a746f-6e65-5553-420000000001\n", 1, "boot_volume",
                 "is not a GUID");
    EXPECT_ERROR("boot_volume = partuuid:{4f6e6573-746f-6e65-5553-420000000001}\n", 1, "boot_volume",
                 "is not a GUID");

    /* control characters inside a value; the message shows them as '?' */
    EXPECT_ERROR("console = com\001\n", 1, "console", "'com?'");
    EXPECT_ERROR("boot_args = a\tb\n", 1, "boot_args", "control");
    EXPECT_ERROR("boot_path = \\EFI\\a\033b.efi\n", 1, "boot_path", "control");
    EXPECT_ERROR("boot_volume = label:A\177B\n", 1, "boot_volume", "'A?B'");

    /* NUL bytes: the length, not a terminator, ends the file */
    static const char nul[] = "console = com1\nbaud = 96\00000\n";
    expect_error_n(nul, sizeof nul - 1, 2, "NUL", NULL, __LINE__);
    static const char nul_comment[] = "# a\n# b \0 c\n";
    expect_error_n(nul_comment, sizeof nul_comment - 1, 2, "NUL", NULL, __LINE__);

    /* earlier good lines are not applied when a later one fails */
    EXPECT_ERROR("console = none\nbaud = 9600\nhide_hypervisor = yes\n"
                 "boot_args = x\nlog_level = loud\n", 5, "log_level", "loud");
}

/* Length limits are the buffer sizes in config.h, minus the terminator. */
static void test_lengths(void)
{
    struct onestone_config c;
    struct config_error err;
    char text[1024], value[1024];

    /* boot_path: 255 characters fit, 256 do not */
    memset(value, 'p', sizeof value);
    value[0] = '\\';
    snprintf(text, sizeof text, "boot_path = %.*s\n", CONFIG_PATH_MAX - 1, value);
    CHECK_EQ_U64(parse(text, &c, &err), 0);
    CHECK_EQ_U64(strlen(c.boot_path), CONFIG_PATH_MAX - 1);
    snprintf(text, sizeof text, "boot_path = %.*s\n", CONFIG_PATH_MAX, value);
    EXPECT_ERROR(text, 1, "boot_path", "too long");

    /* boot_args: 511 fit, 512 do not */
    memset(value, 'a', sizeof value);
    snprintf(text, sizeof text, "boot_args = %.*s\n", CONFIG_ARGS_MAX - 1, value);
    CHECK_EQ_U64(parse(text, &c, &err), 0);
    CHECK_EQ_U64(strlen(c.boot_args), CONFIG_ARGS_MAX - 1);
    snprintf(text, sizeof text, "boot_args = %.*s\n", CONFIG_ARGS_MAX, value);
    EXPECT_ERROR(text, 1, "boot_args", "too long");

    /* volume labels: 63 fit, 64 do not */
    snprintf(text, sizeof text, "boot_volume = label:%.*s\n", CONFIG_VOLUME_MAX - 1, value);
    CHECK_EQ_U64(parse(text, &c, &err), 0);
    CHECK_EQ_U64(strlen(c.boot_volume_label), CONFIG_VOLUME_MAX - 1);
    snprintf(text, sizeof text, "boot_volume = label:%.*s\n", CONFIG_VOLUME_MAX, value);
    EXPECT_ERROR(text, 1, "boot_volume", "too long");

    /* a long unknown key still yields a terminated, truncated message */
    snprintf(text, sizeof text, "%.*s = 1\n", 400, value);
    EXPECT_ERROR(text, 1, "unknown key", "aaaa");
}

/* The file of issue 11: global keys, [primary], [mgmt]. */
static const char *const sections_file =
    "console = com1\n"
    "iommu = required\n"
    "\n"
    "[primary]\n"
    "boot_volume = self\n"
    "boot_path = \\EFI\\Microsoft\\Boot\\bootmgfw.efi\n"
    "\n"
    "[mgmt]\n"
    "kernel = \\EFI\\onestone\\mgmt.elf\n"
    "cpus = 1                # how many; the last CPUs in MADT order\n"
    "memory = 64M            # K, M or G suffix\n"
    "checkpoint = 2M\n"
    "devices = 00:19.0       # [SEG:]BB:DD.F or VVVV:DDDD\n"
    "token = SECRET\n"
    "address = dhcp\n"
    "port = 80\n"
    "project = http://10.0.0.2:8000\n";

static void test_sections(void)
{
    struct onestone_config c;
    struct config_error err;
    if (!CHECK_EQ_U64(parse(sections_file, &c, &err), 0)) {
        printf("  (line %u: %s)\n", err.line, err.message);
        return;
    }
    CHECK_STREQ(c.boot_path, "\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
    CHECK(c.mgmt.present);
    CHECK_EQ_U64(c.mgmt.line, 8);
    CHECK_STREQ(c.mgmt.kernel, "\\EFI\\onestone\\mgmt.elf");
    CHECK_EQ_U64(c.mgmt.cpus, 1);
    CHECK_EQ_U64(c.mgmt.memory, 64ull << 20);
    CHECK_EQ_U64(c.mgmt.checkpoint, 2ull << 20);
    CHECK_EQ_U64(c.mgmt.device_count, 1);
    CHECK(c.mgmt.devices[0].kind == DEVICE_BY_ADDRESS && c.mgmt.devices[0].bus == 0 &&
          c.mgmt.devices[0].dev == 0x19 && c.mgmt.devices[0].fn == 0);
    CHECK_EQ_U64(c.mgmt.devices_line, 13);
    CHECK_STREQ(c.mgmt.token, "SECRET");
    CHECK(c.mgmt.address == MGMT_ADDRESS_DHCP);
    CHECK_EQ_U64(c.mgmt.port, 80);
    CHECK_STREQ(c.mgmt.project, "http://10.0.0.2:8000");

    /* without sections the file means what it always meant */
    CHECK_EQ_U64(parse("boot_path = \\x.efi\n", &c, &err), 0);
    CHECK(!c.mgmt.present);

    /* defaults inside [mgmt], a static address, a token file, two devices */
    const char *minimal =
        "[mgmt]\nkernel = \\k.elf\ncpus = 2\nmemory = 1G\n"
        "devices = 0001:02:1f.7, 8086:100e\ntoken_file = \\EFI\\onestone\\api.token\n"
        "address = 192.168.1.9/24\ngateway = 192.168.1.1\n";
    if (CHECK_EQ_U64(parse(minimal, &c, &err), 0)) {
        CHECK_EQ_U64(c.mgmt.checkpoint, 2ull << 20);
        CHECK_EQ_U64(c.mgmt.port, 80);
        CHECK_EQ_U64(c.mgmt.memory, 1ull << 30);
        CHECK_EQ_U64(c.mgmt.device_count, 2);
        CHECK(c.mgmt.devices[0].segment == 1 && c.mgmt.devices[0].bus == 2 &&
              c.mgmt.devices[0].dev == 0x1f && c.mgmt.devices[0].fn == 7);
        CHECK(c.mgmt.devices[1].kind == DEVICE_BY_ID && c.mgmt.devices[1].vendor == 0x8086 &&
              c.mgmt.devices[1].device == 0x100e);
        CHECK_STREQ(c.mgmt.token_file, "\\EFI\\onestone\\api.token");
        CHECK(c.mgmt.address == MGMT_ADDRESS_STATIC && c.mgmt.prefix == 24 &&
              c.mgmt.ip[0] == 192 && c.mgmt.ip[3] == 9 && c.mgmt.gateway[3] == 1);
    } else {
        printf("  (line %u: %s)\n", err.line, err.message);
    }
}

static void test_token_file(void)
{
    CHECK(config_token_file_ok("tok3n", 5));
    CHECK(config_token_file_ok("tok3n\n", 6));
    CHECK(config_token_file_ok("tok3n\r\n", 7));
    CHECK(!config_token_file_ok("", 0));
    CHECK(!config_token_file_ok("\n", 1));
    CHECK(!config_token_file_ok("two words\n", 10));
    CHECK(!config_token_file_ok("tok\nmore\n", 9));
    CHECK(!config_token_file_ok("tok\x01", 4));
    char big[80];
    memset(big, 'a', sizeof big);
    CHECK(config_token_file_ok(big, 63));
    CHECK(!config_token_file_ok(big, 64));
}

static void test_section_errors(void)
{
    const char *mg = "[mgmt]\nkernel = \\k.elf\ncpus = 1\nmemory = 64M\ndevices = 00:19.0\n"
                     "token = T\n";
    char text[1024];
#define WITH(extra) (snprintf(text, sizeof text, "%s%s", mg, extra), text)
    EXPECT_ERROR("[storage]\n", 1, "unknown section [storage]", "[primary], [mgmt]");
    EXPECT_ERROR("[mgmt\n", 1, "section header", NULL);
    EXPECT_ERROR("[primary] junk\n", 1, "section header", NULL);
    EXPECT_ERROR("[primary]\n[primary]\n", 2, "[primary] given twice", NULL);
    EXPECT_ERROR("boot_path = \\a.efi\n[primary]\nboot_path = \\b.efi\n", 3,
                 "given twice", "first on line 1");
    EXPECT_ERROR("[primary]\niommu = off\n", 2, "unknown key 'iommu' in [primary]",
                 "boot_volume, boot_path");
    EXPECT_ERROR("[mgmt]\nboot_path = \\a.efi\n", 2, "unknown key 'boot_path' in [mgmt]",
                 "kernel, cpus");
    EXPECT_ERROR("kernel = \\k.elf\n", 1, "unknown key 'kernel'", "console");
    EXPECT_ERROR("[mgmt]\ncpus = 1\n", 1, "[mgmt] needs kernel", NULL);
    EXPECT_ERROR("[mgmt]\nkernel = \\k.elf\nmemory = 64M\ndevices = 00:19.0\ntoken = T\n", 1,
                 "[mgmt] needs cpus", NULL);
    EXPECT_ERROR("[mgmt]\nkernel = \\k.elf\ncpus = 1\nmemory = 64M\ndevices = 00:19.0\n", 1,
                 "needs token or token_file", NULL);
    EXPECT_ERROR(WITH("token_file = \\t\n"), 7, "token_file: token is given too", NULL);
    EXPECT_ERROR(WITH("gateway = 10.0.0.1\n"), 7, "gateway: only with a static address",
                 NULL);
    EXPECT_ERROR(WITH("checkpoint = 64M\n"), 7, "checkpoint: must be smaller", NULL);
    EXPECT_ERROR("[mgmt]\nkernel = mgmt.elf\n", 2, "kernel: 'mgmt.elf'", "absolute path");
    EXPECT_ERROR("[mgmt]\ncpus = 0\n", 2, "cpus: '0'", "1 to 63");
    EXPECT_ERROR("[mgmt]\ncpus = 64\n", 2, "cpus: '64'", NULL);
    EXPECT_ERROR("[mgmt]\nmemory = 64\n", 2, "memory: '64'", "suffix");
    EXPECT_ERROR("[mgmt]\nmemory = 8M\n", 2, "memory: '8M'", "16M to 64G");
    EXPECT_ERROR("[mgmt]\nmemory = 65M\n", 2, "memory: '65M'", "2M steps");
    EXPECT_ERROR("[mgmt]\nmemory = 128T\n", 2, "memory: '128T'", NULL);
    EXPECT_ERROR("[mgmt]\ncheckpoint = 3K\n", 2, "checkpoint: '3K'", "4K steps");
    EXPECT_ERROR("[mgmt]\ndevices = 00:20.0\n", 2, "devices: '00:20.0'", "BB:DD.F");
    EXPECT_ERROR("[mgmt]\ndevices = 00:1f.8\n", 2, "devices: '00:1f.8'", NULL);
    EXPECT_ERROR("[mgmt]\ndevices = 100:00.0\n", 2, "devices: '100:00.0'", NULL);
    EXPECT_ERROR("[mgmt]\ndevices = 8086:10\n", 2, "devices: '8086:10'", NULL);
    EXPECT_ERROR("[mgmt]\ndevices = ffff:1234\n", 2, "devices: 'ffff:1234'", NULL);
    EXPECT_ERROR("[mgmt]\ndevices = 00:19.0 0000:00:19.0\n", 2, "listed twice", NULL);
    EXPECT_ERROR("[mgmt]\ndevices = ,\n", 2, "no device", NULL);
    EXPECT_ERROR("[mgmt]\ndevices = 0:1.0 0:2.0 0:3.0 0:4.0 0:5.0 0:6.0 0:7.0 0:8.0 0:9.0\n",
                 2, "more than 8", NULL);
    EXPECT_ERROR("[mgmt]\ntoken = a b\n", 2, "token: must be 1-63", NULL);
    EXPECT_ERROR("[mgmt]\naddress = 10.0.0.300/24\n", 2, "address: '10.0.0.300/24'", "dhcp");
    EXPECT_ERROR("[mgmt]\naddress = 10.0.0.3\n", 2, "address:", "A.B.C.D/NN");
    EXPECT_ERROR("[mgmt]\naddress = 10.0.0.3/33\n", 2, "address:", NULL);
    EXPECT_ERROR("[mgmt]\ngateway = 10.0.0\n", 2, "gateway: '10.0.0'", NULL);
    EXPECT_ERROR("[mgmt]\nport = 0\n", 2, "port: '0'", "1 to 65535");
    EXPECT_ERROR("[mgmt]\nport = 65536\n", 2, "port:", NULL);
    EXPECT_ERROR("[mgmt]\nproject = https://10.0.0.2\n", 2, "project:", "http://A.B.C.D");
    EXPECT_ERROR("[mgmt]\nproject = http://example.org/\n", 2, "project:", NULL);
    EXPECT_ERROR("[mgmt]\nproject = http://10.0.0.2:0/\n", 2, "project:", NULL);
#undef WITH
}

int main(int argc, char **argv)
{
    (void)argc;
    config_defaults(&defaults);
    test_sections();
    test_section_errors();
    test_token_file();
    test_defaults();
    test_full_file();
    test_values();
    test_layout();
    test_errors();
    test_lengths();
    return unit_finish(argv[0]);
}
