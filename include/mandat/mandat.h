/*
 * mandat/mandat.h: every public header of libmandat in one include, for programs that use
 * the library as a whole. The entry points: mandat/run.h (a scenario in, a result out) and
 * mandat/output.h (a result written as the folder `mandat run` writes); below them the
 * modules each header documents. Link with -lmandat (pkg-config mandat) or, in CMake,
 * find_package(mandat) and target_link_libraries(... mandat::mandat).
 */
#ifndef MANDAT_MANDAT_H
#define MANDAT_MANDAT_H

#include "mandat/aggregate.h"
#include "mandat/allocate.h"
#include "mandat/answers.h"
#include "mandat/error.h"
#include "mandat/frame.h"
#include "mandat/groups.h"
#include "mandat/headcounts.h"
#include "mandat/microsim.h"
#include "mandat/model.h"
#include "mandat/output.h"
#include "mandat/questionnaire.h"
#include "mandat/register.h"
#include "mandat/report.h"
#include "mandat/respondents.h"
#include "mandat/response_status.h"
#include "mandat/result_tables.h"
#include "mandat/run.h"
#include "mandat/scenario.h"
#include "mandat/shard.h"
#include "mandat/steptable.h"
#include "mandat/synth.h"
#include "mandat/table.h"
#include "mandat/text_answers.h"
#include "mandat/tradeoff.h"
#include "mandat/uncertainty.h"
#include "mandat/version.h"
#include "mandat/weights.h"
#include "mandat/workbook.h"

#endif
