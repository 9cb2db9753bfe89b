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
    {"chart_mandate_uncertainty", "Each group's percent with the mandate's interval",
     "Hver gruppes tillegg med mandatets usikkerhetsintervall"},
    {"chart_regions", "Distance of each region's allocation from the national one",
     "Avstand fra hver regions fordeling til den nasjonale"},
    {"chart_sweep_krone_share", "Each group's annual wage growth along the krone share",
     "Årslønnsvekst per gruppe langs kroneandelen"},
    {"chart_compare_growth", "Each group's annual wage growth by alternative",
     "Årslønnsvekst per gruppe og alternativ"},

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
    /* ---- row labels: scopes, frame components, statistics, indicators ---- */
    {"all", "All", "Alle"},
    {"area", "The whole area", "Hele tariffområdet"},
    {"total", "Total", "Totalt"},
    {"overheng", "Carry-over from last year (overheng)", "Overheng fra i fjor"},
    {"glidning", "Drift (glidning)", "Glidning"},
    {"step_moves", "Seniority step moves", "Ansiennitetsopprykk"},
    {"central", "Central increases", "Sentrale tillegg"},
    {"local_pot", "Local pot", "Lokal pott"},
    {"named", "Named increase", "Navngitt tillegg"},
    {"local_frame", "Local increase within the frame", "Lokalt tillegg innenfor rammen"},
    {"annual_growth", "Annual wage growth", "Årslønnsvekst"},
    {"exact_annual_growth", "Annual wage growth on the exact monthly path",
     "Årslønnsvekst etter eksakt månedsbane"},
    {"exact_minus_additive", "Exact path minus TBU's additive convention",
     "Eksakt bane minus TBUs additive konvensjon"},
    {"room", "Room for central increases (annual effect)",
     "Rom for sentrale tillegg (årsvirkning)"},
    {"room_dated", "Room for central increases from their month",
     "Rom for sentrale tillegg fra virkningstidspunktet"},
    {"frame_pct", "Frame, %", "Ramme, %"},
    {"solved", "Solved on the frame", "Løst innenfor rammen"},
    {"applied", "Applied as written", "Anvendt som skrevet"},
    {"infeasible", "Cannot be met", "Uoppnåelig"},
    {"scalar", "The rule's number", "Regelens tall"},
    {"mean", "Mean", "Gjennomsnitt"},
    {"sd", "Standard deviation", "Standardavvik"},
    {"borda", "Borda points", "Borda-poeng"},
    {"top1_share", "Share ranking it first", "Andel som rangerer den først"},
    {"top3_share", "Share ranking it in the top three", "Andel som rangerer den blant de tre øverste"},
    {"kendall_w", "Agreement (Kendall's W)", "Enighet (Kendalls W)"},
    {"share_mean", "Mean share", "Gjennomsnittlig andel"},
    {"share_median", "Median share", "Median andel"},
    {"share_q1", "First quartile", "Første kvartil"},
    {"share_q3", "Third quartile", "Tredje kvartil"},
    {"proportion", "Proportion", "Andel"},
    {"bootstrap", "Bootstrap", "Bootstrap"},
    {"dropped_draws", "Bootstrap draws dropped", "Forkastede bootstrap-trekk"},
    {"draws", "Draws", "Trekk"},
    {"mean_growth_pct", "Mean annual wage growth, %", "Gjennomsnittlig årslønnsvekst, %"},
    {"sd_growth_pct", "Standard deviation of annual wage growth, pp",
     "Standardavvik i årslønnsveksten, prosentpoeng"},
    {"growth_q01_pct", "Annual wage growth, 1st percentile, %", "Årslønnsvekst, 1. persentil, %"},
    {"growth_q05_pct", "Annual wage growth, 5th percentile, %", "Årslønnsvekst, 5. persentil, %"},
    {"growth_q25_pct", "Annual wage growth, 25th percentile, %",
     "Årslønnsvekst, 25. persentil, %"},
    {"growth_q50_pct", "Annual wage growth, median, %", "Årslønnsvekst, median, %"},
    {"growth_q75_pct", "Annual wage growth, 75th percentile, %",
     "Årslønnsvekst, 75. persentil, %"},
    {"growth_q95_pct", "Annual wage growth, 95th percentile, %",
     "Årslønnsvekst, 95. persentil, %"},
    {"growth_q99_pct", "Annual wage growth, 99th percentile, %",
     "Årslønnsvekst, 99. persentil, %"},
    {"carryover_nok", "Carry-over into next year, NOK", "Overheng til neste år, kr"},
    {"step_effect_pct", "Step moves' annual effect, %", "Årsvirkning av ansiennitetsopprykk, %"},
    {"step_employees", "Employees moving up a step", "Ansatte med ansiennitetsopprykk"},
    {"indicator", "Key figure", "Nøkkeltall"},
    {"indicators", "The settlement's key figures", "Oppgjørets nøkkeltall"},
    {"measure", "Measure", "Mål"},
    {"annual_effect_pct_total", "Annual effect, %", "Årsvirkning, %"},
    {"cost_nok_total", "Cost this year, NOK", "Kostnad i år, kr"},
    {"period", "The settlement period", "Oppgjørsperioden"},
    {"period_growth_pct", "Growth over the period, %", "Vekst over perioden, %"},
    {"period_real_growth_pct", "Real growth over the period, %", "Reallønnsvekst over perioden, %"},
    {"year1_growth_pct", "Annual wage growth, year 1, %", "Årslønnsvekst, år 1, %"},
    {"year2_growth_pct", "Annual wage growth, year 2, %", "Årslønnsvekst, år 2, %"},
    {"year1_real_growth_pct", "Real growth, year 1, %", "Reallønnsvekst, år 1, %"},
    {"year2_real_growth_pct", "Real growth, year 2, %", "Reallønnsvekst, år 2, %"},
    {"year1_carryover_pct", "Carry-over out of year 1, %", "Overheng ut av år 1, %"},
    {"year1_carryover_nok", "Carry-over out of year 1, NOK", "Overheng ut av år 1, kr"},
    {"year2_overheng_pct", "Overheng of year 2, %", "Overheng i år 2, %"},
    {"year2_carryover_pct", "Carry-over out of year 2, %", "Overheng ut av år 2, %"},
    {"year2_carryover_nok", "Carry-over out of year 2, NOK", "Overheng ut av år 2, kr"},
    {"compare_groups", "Alternatives side by side, per group", "Alternativer side om side, per gruppe"},
    {"compare_growth", "Annual wage growth by alternative", "Årslønnsvekst per alternativ"},
    {"compare_guarantee", "New guarantee pay by alternative", "Ny garantilønn per alternativ"},
    {"compare_indicators", "Key figures by alternative", "Nøkkeltall per alternativ"},
    {"compare_settings", "Settings that differ", "Innstillinger som er ulike"},
    /* ---- the regional process: response status and text answers ---- */
    {"response_status", "Response status", "Svarstatus"},
    {"status_missing", "Members that have not answered", "Medlemmer som ikke har svart"},
    {"text_answers", "Text answers", "Fritekstsvar"},
    {"members", "Members", "Medlemmer"},
    {"answered", "Answered", "Har svart"},
    {"response_rate", "Response rate", "Svarprosent"},
    {"employees_answered", "Employees of those who answered", "Ansatte hos dem som har svart"},
    {"employee_share", "Share of employees covered", "Andel av de ansatte som er dekket"},
    {"political", "Adopted politically", "Politisk vedtatt"},
    {"administrative", "Adopted administratively", "Administrativt vedtatt"},
    {"unknown", "Not known", "Ukjent"},
    {"political_share", "Share adopted politically", "Andel politisk vedtatt"},
    {"adopted", "How the answer was adopted", "Hvordan svaret ble vedtatt"},
    {"respondent", "Member number", "Medlemsnummer"},
    {"kind", "Kind of member", "Type medlem"},
    {"text", "Answer", "Svar"},
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
