/*
 * Internal to libmandat: a run's resolved settings as JSON (the manifest's "settings").
 * Ownership: mdt__run_settings_json returns a new reference the caller releases with
 * json_decref; mdt__run_shown_path returns a pointer into path.
 */
#ifndef MANDAT_RUN_SETTINGS_H
#define MANDAT_RUN_SETTINGS_H

#include <jansson.h>

#include "run/pipeline.h"

/* Every resolved setting of the pipeline's scenario, by section. */
json_t *mdt__run_settings_json(const mdt__pipeline *p);
/* A path as the manifest shows it: relative to the scenario's folder when inside it. */
const char *mdt__run_shown_path(const mdt_scenario *sc, const char *path);

#endif
