#!/usr/bin/env python3
"""Runs on the host: judges what the emulated sound card played (the WAV
file Bochs's ES1370 writes). Exits 0 and prints one line when the file holds
at least half a second of a tone within 5% of HZ, else 1 with what it found.

usage: tone_check.py WAV HZ
"""
import array
import sys
import wave


def main(path, hz):
    try:
        w = wave.open(path, "rb")
    except (OSError, EOFError, wave.Error) as e:
        print("no wave file the card wrote (%s)" % e)
        return 1
    rate, channels, width, n = w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()
    raw = w.readframes(n)
    if width == 2:
        samples = array.array("h", raw)
    elif width == 1:
        samples = array.array("h", (b - 128 << 8 for b in raw))
    else:
        print("%d-byte samples: not a format the card plays" % width)
        return 1
    mono = samples[::channels]
    # the loud stretch: the card plays silence before and after the tone
    loud = [s for s in mono if abs(s) > 1000]
    if len(mono) < rate // 2 or len(loud) < len(mono) // 100:
        print("%d frames at %d Hz, %d of them loud: no tone" % (len(mono), rate, len(loud)))
        return 1
    start = next(i for i, s in enumerate(mono) if abs(s) > 1000)
    end = len(mono) - next(i for i, s in enumerate(reversed(mono)) if abs(s) > 1000)
    crossings = sum(1 for a, b in zip(mono[start:end - 1], mono[start + 1:end]) if a < 0 <= b)
    seconds = (end - start) / rate
    freq = crossings / seconds if seconds else 0
    line = "%.2f s of sound at %d Hz, %d channel(s), %.0f Hz" % (seconds, rate, channels, freq)
    if seconds < 0.5 or abs(freq - hz) > hz * 0.05:
        print(line + ": not the %.0f Hz tone" % hz)
        return 1
    print(line)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
