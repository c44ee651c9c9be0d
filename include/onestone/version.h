/* Shared header (boot services, VMX root, host tools): onestone's
 * release, as `version` and the API report it. */
#ifndef ONESTONE_VERSION_H
#define ONESTONE_VERSION_H

#define ONESTONE_VERSION "0.12.0-dev"

#endif
