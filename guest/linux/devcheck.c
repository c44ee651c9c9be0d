/* Runs in the Linux test guest (user space, static): the parts of the
 * device checks (guest/linux/init, onestone.devices) busybox cannot do.
 *   devcheck tone SECONDS   plays a 440 Hz tone through the OSS device
 *                           /dev/dsp (the sound card's driver), 16-bit
 *                           mono at 22050 Hz
 *   devcheck fb DEVICE      writes a pattern into the first 64 KiB of a
 *                           frame buffer device (the display driver's) and
 *                           reads it back
 * Each prints one result line and exits 0, or says what failed and exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/soundcard.h>
#include <unistd.h>

#define TONE_RATE 22050
#define TONE_HZ 440.0
#define FB_WINDOW (64u << 10)

static int fail(const char *what)
{
    printf("devcheck: %s: %s\n", what, strerror(errno));
    return 1;
}

/* the card's mixer starts muted (ALSA leaves that to alsactl): master
 * and PCM to full volume through the OSS mixer */
static int unmute(void)
{
    int fd = open("/dev/mixer", O_RDWR);
    if (fd < 0)
        return fail("open /dev/mixer");
    int full = 100 | 100 << 8;
    if (ioctl(fd, SOUND_MIXER_WRITE_VOLUME, &full) < 0)
        return fail("master volume");
    full = 100 | 100 << 8;
    if (ioctl(fd, SOUND_MIXER_WRITE_PCM, &full) < 0)
        return fail("PCM volume");
    close(fd);
    return 0;
}

static int tone(double seconds)
{
    if (unmute())
        return 1;
    int fd = open("/dev/dsp", O_WRONLY);
    if (fd < 0)
        return fail("open /dev/dsp");
    int fmt = AFMT_S16_LE, channels = 1, rate = TONE_RATE;
    if (ioctl(fd, SNDCTL_DSP_SETFMT, &fmt) < 0 || fmt != AFMT_S16_LE)
        return fail("16-bit format");
    if (ioctl(fd, SNDCTL_DSP_CHANNELS, &channels) < 0 || channels != 1)
        return fail("mono");
    if (ioctl(fd, SNDCTL_DSP_SPEED, &rate) < 0)
        return fail("sample rate");
    unsigned frames = (unsigned)(seconds * rate);
    int16_t buf[1024];
    unsigned done = 0;
    while (done < frames) {
        unsigned n = frames - done < 1024 ? frames - done : 1024;
        for (unsigned i = 0; i < n; i++)
            buf[i] = (int16_t)(12000.0 * sin(2.0 * M_PI * TONE_HZ * (done + i) / rate));
        ssize_t w = write(fd, buf, n * sizeof buf[0]);
        if (w != (ssize_t)(n * sizeof buf[0]))
            return fail("write /dev/dsp");
        done += n;
    }
    if (ioctl(fd, SNDCTL_DSP_SYNC, 0) < 0)     /* until the card has played it */
        return fail("drain /dev/dsp");
    close(fd);
    printf("devcheck: tone: %u frames of %.0f Hz at %d Hz played\n", frames, TONE_HZ, rate);
    return 0;
}

static int fb(const char *path)
{
    int fd = open(path, O_RDWR);
    if (fd < 0)
        return fail(path);
    static uint32_t out[FB_WINDOW / 4], in[FB_WINDOW / 4];
    for (unsigned i = 0; i < FB_WINDOW / 4; i++)
        out[i] = 0x9e3779b9u * (i + 1);
    if (pwrite(fd, out, sizeof out, 0) != (ssize_t)sizeof out)
        return fail("write the frame buffer");
    if (pread(fd, in, sizeof in, 0) != (ssize_t)sizeof in)
        return fail("read the frame buffer");
    close(fd);
    unsigned bad = 0;
    for (unsigned i = 0; i < FB_WINDOW / 4; i++)
        bad += in[i] != out[i];
    if (bad) {
        printf("devcheck: fb: %u of %u words read back wrong\n", bad, FB_WINDOW / 4);
        return 1;
    }
    printf("devcheck: fb: %u words written and read back\n", FB_WINDOW / 4);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "tone"))
        return tone(atof(argv[2]));
    if (argc == 3 && !strcmp(argv[1], "fb"))
        return fb(argv[2]);
    fprintf(stderr, "usage: devcheck tone SECONDS | devcheck fb /dev/fbN\n");
    return 2;
}
