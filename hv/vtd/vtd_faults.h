/* Runs in VMX root: VT-d fault polling (see vtd_faults.c). */
#ifndef HV_VTD_FAULTS_H
#define HV_VTD_FAULTS_H

#include <stdbool.h>

/* True once VT-d units translate (set up in hv_prepare); keeps the exit
 * path to a single test when VT-d is off. */
extern bool vtd_faults_enabled;

void vtd_faults_poll(bool force);

#endif
