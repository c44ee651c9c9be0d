/* Shared (VMX root, host unit tests): the serial console's line editor,
 * one input byte at a time, for every terminal people use on a serial line
 * (screen, picocom, minicom, PuTTY, a script): printable ASCII is inserted
 * at the cursor; backspace as 0x08 or 0x7F; Left/Right, Home/End (CSI,
 * SS3 and VT forms), Up/Down through a history; Ctrl-C drops the line,
 * Ctrl-U clears it, Ctrl-A/Ctrl-E go home/end, Tab completes a command
 * name. Anything else (other control bytes, bytes >= 0x80, unknown escape
 * sequences) is ignored and never echoed. What the terminal must show is
 * appended to a text_out (what does not fit is counted): after an edit, the whole line is redrawn
 * (CR, prompt, text, erase to end, cursor back), which every ANSI
 * terminal renders the same way. */
#ifndef HV_CORE_LINE_EDIT_H
#define HV_CORE_LINE_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include "onestone/text_out.h"

#define LINE_EDIT_MAX 200           /* characters in a line; more are ignored */
#define LINE_EDIT_HISTORY 32

struct line_edit {
    const char *prompt;
    const char *const *words;       /* Tab completes these (NULL-terminated) */
    char text[LINE_EDIT_MAX + 1];
    unsigned len, cursor;
    char history[LINE_EDIT_HISTORY][LINE_EDIT_MAX + 1];
    unsigned history_count;         /* lines stored, at most LINE_EDIT_HISTORY */
    unsigned history_newest;        /* index of the newest */
    int browsing;                   /* -1: editing a new line, else how far back */
    char saved[LINE_EDIT_MAX + 1];  /* the new line, while browsing */
    unsigned esc_state, esc_len;
    char esc[8];
    bool last_was_cr;
};

void line_edit_init(struct line_edit *e, const char *prompt, const char *const *words);
/* Writes the prompt (for the start, and after a finished line's answer). */
void line_edit_prompt(struct line_edit *e, struct text_out *out);
/* Writes the prompt and the line being edited again, cursor in place
 * (after other output overwrote them). */
void line_edit_redraw(struct line_edit *e, struct text_out *out);
/* One input byte. Returns true when a line is complete: it is then copied
 * to line (NUL-terminated, at most LINE_EDIT_MAX characters), entered into
 * the history if not empty and not the same as the newest, and the editor
 * starts a new line (the caller answers, then calls line_edit_prompt). */
bool line_edit_feed(struct line_edit *e, unsigned char byte, struct text_out *out, char *line);

#endif
