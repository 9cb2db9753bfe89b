/*
 * Labels of the tables and columns mandat writes, in English and Norwegian (bokmål).
 *
 * Adding a name is one line in `labels` below: the key exactly as it appears in a table (ASCII
 * snake_case), a readable English phrase, and the Norwegian term KS and TBU use. The list is
 * short enough to search from the top; test_workbook checks that keys are unique and labels
 * non-empty.
 */
#include <string.h>

#include "mandat/workbook.h"
#include "report/labels.h"

typedef struct {
  const char *key;
  const char *en;
  const char *nb;
} label;

static const label labels[] = {
    /* ---- tables (used as sheet titles) ---- */
    {"aggregate", "Weighted answers by question", "Vektede svar per spørsmål"},
    {"profile", "Mandate profile", "Mandatprofil"},
    {"profile_strata", "Mandate profile by region", "Mandatprofil etter region"},
    {"frame", "The frame: annual wage growth", "Rammen: årslønnsvekst"},
    {"settlement", "Settlement by employee group", "Oppgjøret per stillingsgruppe"},
    {"guarantee", "Guaranteed pay by seniority", "Garantilønn etter ansiennitet"},
    {"exchange_rates", "Exchange rates between groups", "Bytteforhold mellom grupper"},
    {"sweep_theta", "Sweep of the priority weight θ", "Variasjon av prioriteringsvekten θ"},
    {"sweep_krone_share", "Sweep of the krone share", "Variasjon av kroneandelen"},
    {"sweep_local_pot", "Sweep of the local pot", "Variasjon av den lokale potten"},
    {"sweep_central_month", "Sweep of the effective month of central increases",
     "Variasjon av virkningstidspunktet for sentrale tillegg"},
    {"sweep_summary", "Sweeps: summary", "Variasjoner: sammendrag"},
    {"uncertainty", "Uncertainty of annual wage growth", "Usikkerhet i årslønnsveksten"},
    {"uncertainty_groups", "Uncertainty by employee group", "Usikkerhet per stillingsgruppe"},
    {"growth_distribution", "Distribution of annual wage growth", "Fordeling av årslønnsveksten"},
    {"mandate_uncertainty", "Uncertainty of the mandate", "Usikkerhet i mandatet"},
    {"regions", "Regional mandates", "Regionale mandater"},
    {"region_allocations", "Allocation by regional mandate", "Fordeling etter regionalt mandat"},

    /* ---- chart titles ---- */
    {"chart_sweep_theta", "Each group's annual wage growth along θ",
     "Årslønnsvekst per gruppe langs θ"},
    {"chart_frame", "What makes up annual wage growth", "Sammensetningen av årslønnsveksten"},
    {"chart_growth_distribution", "Distribution of annual wage growth (Monte Carlo)",
     "Fordeling av årslønnsveksten (Monte Carlo)"},
    {"chart_profile", "Mandate profile with intervals", "Mandatprofil med usikkerhetsintervall"},

    /* ---- settings named in sweeps and axis titles ---- */
    {"theta", "Priority weight θ", "Prioriteringsvekt θ"},
    {"krone_share", "Krone share of the increase", "Andel kronetillegg"},
    {"local_pot_pct", "Local pot, %", "Lokal pott, %"},
    {"central_month", "Effective month of central increases",
     "Virkningstidspunkt for sentrale tillegg (måned)"},

    /* ---- columns: the mandate ---- */
    {"scope", "Scope", "Omfang"},
    {"stratum", "Stratum", "Stratum"},
    {"question", "Question", "Spørsmål"},
    {"option", "Option", "Svaralternativ"},
    {"statistic", "Statistic", "Mål"},
    {"value", "Value", "Verdi"},
    {"ci_low", "Lower bound", "Nedre grense"},
    {"ci_high", "Upper bound", "Øvre grense"},
    {"n", "Answers (n)", "Antall svar (n)"},
    {"n_eff", "Effective number of answers", "Effektivt antall svar"},
    {"priority", "Priority score", "Prioritetsskår"},
    {"top3_frequency", "Share of draws in the top three", "Andel trekninger blant de tre øverste"},

    /* ---- columns: groups and the settlement ---- */
    {"group", "Employee group", "Stillingsgruppe"},
    {"name", "Name", "Navn"},
    {"chapter", "Chapter", "Kapittel"},
    {"covered", "Covered by the settlement", "Omfattet av oppgjøret"},
    {"pct", "Settlement increase, %", "Tillegg, %"},
    {"employees", "Employees", "Ansatte"},
    {"fte", "Full-time equivalents", "Årsverk"},
    {"wage_bill_nok", "Wage bill, NOK", "Lønnsmasse, kr"},
    {"rise_nok", "Rise in the wage bill (full year), NOK", "Økning i lønnsmassen (helår), kr"},
    {"nok_per_fte", "Rise per full-time equivalent, NOK", "Økning per årsverk, kr"},
    {"rise_pct", "Rise in pay, %", "Lønnsøkning, %"},
    {"annual_effect_pct", "Effect this year, %", "Årsvirkning, %"},
    {"area_effect_pct", "Contribution to the area's effect this year, pp",
     "Bidrag til områdets årsvirkning, prosentpoeng"},
    {"carryover_pct", "Carry-over into next year, %", "Overheng til neste år, %"},
    {"overheng_pct", "Carry-over from last year (overheng), %", "Overheng, %"},
    {"glidning_pct", "Wage drift (glidning), %", "Glidning, %"},
    {"annual_growth_pct", "Annual wage growth, %", "Årslønnsvekst, %"},
    {"real_growth_pct", "Real wage growth, %", "Reallønnsvekst, %"},
    {"cost_nok", "Cost this year, NOK", "Kostnad i år, kr"},
    {"rise_p10_nok", "Individual rise, 10th percentile, NOK",
     "Individuelt tillegg, 10. persentil, kr"},
    {"rise_p50_nok", "Individual rise, median, NOK", "Individuelt tillegg, median, kr"},
    {"rise_p90_nok", "Individual rise, 90th percentile, NOK",
     "Individuelt tillegg, 90. persentil, kr"},
    {"suppressed", "Suppressed (too few employees)", "Skjult (for få ansatte)"},

    /* ---- columns: the frame and guarantee tables ---- */
    {"element", "Element", "Element"},
    {"month", "Effective month", "Virkningstidspunkt (måned)"},
    {"component", "Component", "Komponent"},
    {"step_years", "Seniority, years", "Ansiennitet, år"},
    {"annual_nok", "Guaranteed pay, NOK per year", "Garantilønn, kr per år"},
    {"new_annual_nok", "New guaranteed pay, NOK per year", "Ny garantilønn, kr per år"},
    {"increase_nok", "Increase, NOK", "Økning, kr"},

    /* ---- columns: trade-offs ---- */
    {"from_group", "Group given more", "Gruppe som får mer"},
    {"to_group", "Group that pays", "Gruppe som betaler"},
    {"points_per_point", "Cost to the paying group, pp per pp",
     "Kostnad for gruppen som betaler, prosentpoeng per prosentpoeng"},
    {"nok_per_fte_per_nok", "Cost to the paying group, NOK per FTE per NOK",
     "Kostnad for gruppen som betaler, kr per årsverk per kr"},
    {"setting", "Setting", "Innstilling"},
    {"binding", "What binds (blank: nothing)", "Hva som binder (tomt: ingenting)"},
    {"status", "Status (solved, applied, infeasible)", "Status (løst, anvendt, uoppnåelig)"},
    {"total_growth_pct", "Total annual wage growth, %", "Samlet årslønnsvekst, %"},
    {"satisfaction", "Mandate satisfaction", "Oppfyllelse av mandatet"},
    {"low_pay_ratio_pct", "Rise of the lowest-paid fifth over the highest-paid fifth, %",
     "Tillegg til lavest lønte femdel mot høyest lønte femdel, %"},
    {"real_fall_share", "Share with falling real wages", "Andel med reallønnsnedgang"},

    /* ---- columns: uncertainty ---- */
    {"p_growth_above_frame", "Probability of growth above the frame",
     "Sannsynlighet for vekst over rammen"},
    {"quantile", "Quantile", "Kvantil"},
    {"bin_low_pct", "Growth from, %", "Vekst fra, %"},
    {"bin_high_pct", "Growth to, %", "Vekst til, %"},
    {"share", "Share", "Andel"},
    {"p_real_fall", "Probability of a real wage fall", "Sannsynlighet for reallønnsnedgang"},
    {"pct_low", "Increase, lower bound, %", "Tillegg, nedre grense, %"},
    {"pct_high", "Increase, upper bound, %", "Tillegg, øvre grense, %"},
    {"growth_low_pct", "Annual wage growth, lower bound, %", "Årslønnsvekst, nedre grense, %"},
    {"growth_high_pct", "Annual wage growth, upper bound, %", "Årslønnsvekst, øvre grense, %"},

    /* ---- columns: regions ---- */
    {"region", "Region", "Region"},
    {"respondents", "Respondents", "Medlemmer som svarte"},
    {"l1_distance_pp", "Distance from the national allocation (L1), pp",
     "Avstand fra nasjonal fordeling (L1), prosentpoeng"},
    {"national_pct", "National allocation, %", "Nasjonal fordeling, %"},
    {"difference_pp", "Difference from national, pp", "Forskjell fra nasjonal, prosentpoeng"},
};

const char *mdt_label_find(const char *key, const char *lang) {
  if (key == NULL)
    return NULL;
  int nb = lang != NULL && strcmp(lang, "nb") == 0;
  for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
    if (strcmp(labels[i].key, key) == 0)
      return nb ? labels[i].nb : labels[i].en;
  return NULL;
}

const char *mdt_label(const char *key, const char *lang) {
  const char *s = mdt_label_find(key, lang);
  return s != NULL ? s : key;
}

size_t mdt__label_count(void) { return sizeof labels / sizeof labels[0]; }

const char *mdt__label_key(size_t i) {
  return i < sizeof labels / sizeof labels[0] ? labels[i].key : NULL;
}
