/* Runs in UEFI boot services (onestone's VT-d self-test and the VT-d test
 * program): PASS:/FAIL: lines and a summary on COM1, without onestone's
 * log prefix, because the test runners read lines that start with them. */
#ifndef BOOT_TEST_REPORT_H
#define BOOT_TEST_REPORT_H

#include <stdbool.h>

void test_report(bool ok, const char *what);
/* Prints a line of text as it is (CRLF added). */
void test_say(const char *text);
/* "<name>: N passed, M failed", then the runner's end marker. */
void test_summary(const char *name, const char *end_marker);

#endif
