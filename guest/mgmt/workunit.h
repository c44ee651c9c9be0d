/* Runs in the management partition: the work-unit client. Like a BOINC
 * client it pulls work from a project server (tools/workserver.py speaks
 * the protocol), computes it as a job, uploads checkpoints while it runs
 * and posts the result. Protocol, relative to the project URL:
 *   GET  /workunits/next             200 {"id","sequence","seed","moves",
 *                                         "checkpoint": bool} or 204
 *   GET  /workunits/ID/checkpoint    200 the binary fold state
 *   POST /workunits/ID/checkpoint    binary fold state, X-Moves-Done: N
 *   POST /workunits/ID/result        {"best_energy","conformation","moves"} */
#ifndef MGMT_WORKUNIT_H
#define MGMT_WORKUNIT_H

#include <stddef.h>

#define WU_CHECKPOINT_INTERVAL_MS 5000u
#define WU_IDLE_RETRY_MS          30000u
#define WU_ERROR_RETRY_MS         5000u

int workunit_init(const char *project_url, char *err, size_t errlen);
void workunit_poll(void);

#endif
