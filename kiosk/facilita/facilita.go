// Package facilita is the record format of the national monitoring platform
// for digital facilitation ("Facilita", Repubblica Digitale, PNRR measure
// 1.7.2): its columns, its code lists, the rules every row must pass, and a
// CSV writer that splits an export into files of at most 9,000 rows.
//
// The kiosk validates a service against these rules when it is recorded, and
// the exporter checks every row again before writing it.
package facilita

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Columns are the CSV header, in order. The platform's upload template has
// these 33 columns (AN13, AN15 and AN16 do not exist in it).
var Columns = [...]string{
	"IDFacilitatore", "NominativoFacilitatore", "IDSede", "NominativoSede",
	"AN1", "AN2", "AN3", "AN4", "AN5", "AN6", "AN7", "AN8", "AN9", "AN10", "AN11", "AN12",
	"AN14", "AN17", "PR1", "PR2",
	"SE1", "SE2", "SE3", "SE4", "SE5", "SE6", "SE7",
	"ES1", "ES2", "ES3", "ES4", "ES5", "ES6",
}

// MaxRowsPerFile is the most data rows the platform takes in one file.
const MaxRowsPerFile = 9000

// MaxDetails is the longest SE7 free text, in characters.
const MaxDetails = 600

// Code lists. Each maps a code to its meaning (in Italian, as the platform
// shows it).
var (
	DocumentTypes = map[string]string{"A": "carta d'identità", "B": "patente", "C": "passaporto", "D": "permesso di soggiorno", "E": "altro"}
	Genders       = map[string]string{"A": "femmina", "B": "maschio", "C": "non binario", "D": "preferisce non rispondere"}
	AgeBands      = map[string]string{"A": "18-29", "B": "30-54", "C": "55-74", "D": "75 e più", "E": "14-17"}
	Educations    = map[string]string{
		"A": "licenza elementare", "B": "licenza media", "C": "diploma di scuola superiore", "D": "post-diploma non terziario",
		"E": "qualifica professionale", "F": "IFTS", "G": "ITS", "H": "laurea triennale", "I": "laurea magistrale o vecchio ordinamento",
		"J": "master universitario", "K": "dottorato", "L": "non noto o altro",
	}
	Employments = map[string]string{
		"A": "lavoratore dipendente", "B": "imprenditore", "C": "libero professionista", "D": "non occupato",
		"E": "studente o in formazione", "F": "casalinga/o", "G": "pensionato", "H": "altro",
	}
	Citizenships = map[string]string{"A": "italiana", "B": "altro paese UE", "C": "paese extra UE"}
	ServiceTypes = map[string]string{"A": "facilitazione individuale", "B": "facilitazione di gruppo", "C": "formazione in presenza", "D": "formazione online", "E": "altro"}
	Areas        = map[string]string{"A": "alfabetizzazione su informazioni e dati", "B": "comunicazione e collaborazione", "C": "creazione di contenuti digitali", "D": "sicurezza", "E": "risolvere problemi"}
	Domains      = map[string]string{
		"A": "App IO", "B": "pagoPA", "C": "ANPR", "D": "Fascicolo Sanitario Elettronico", "E": "fatturazione elettronica",
		"F": "cultura e turismo", "G": "servizi scolastici", "H": "istruzione e formazione", "I": "sport", "J": "lavoro",
		"K": "impresa e SUAP", "L": "welfare e previdenza (INPS)", "M": "sanità (non FSE)", "N": "dichiarazione dei redditi",
		"O": "tributi locali e multe", "P": "edilizia", "Q": "mobilità e trasporto pubblico", "R": "partecipazione", "S": "nessuno di questi",
	}
)

// AreaOf returns the SE4 area (level 1) of an SE5 competence (level 2, 1–13).
func AreaOf(competence int) (string, bool) {
	switch {
	case competence >= 1 && competence <= 3:
		return "A", true
	case competence >= 4 && competence <= 9:
		return "B", true
	case competence == 10:
		return "C", true
	case competence == 11 || competence == 12:
		return "D", true
	case competence == 13:
		return "E", true
	}
	return "", false
}

// AgeBand returns the AN8 code for an age, or an error for a child under 14.
// Minors of 14–17 get E only when the programme allows them.
func AgeBand(age int, minorsAllowed bool) (string, error) {
	switch {
	case age < 14:
		return "", fmt.Errorf("facilita: age %d is under 14, the age of digital consent", age)
	case age < 18:
		if !minorsAllowed {
			return "", fmt.Errorf("facilita: age %d: this programme records adults only", age)
		}
		return "E", nil
	case age < 30:
		return "A", nil
	case age < 55:
		return "B", nil
	case age < 75:
		return "C", nil
	}
	return "D", nil
}

// Duration formats d as HH:MM, rounding to the nearest minute. Services
// shorter than a minute count as one minute.
func Duration(d time.Duration) string {
	m := int((d + 30*time.Second) / time.Minute)
	if m < 1 {
		m = 1
	}
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// ParseDuration reads an HH:MM duration.
func ParseDuration(s string) (time.Duration, error) {
	if !durationRE.MatchString(s) {
		return 0, fmt.Errorf("facilita: duration %q: write it as HH:MM, e.g. 00:30", s)
	}
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

var durationRE = regexp.MustCompile(`^[0-9]{2}:[0-5][0-9]$`)

// Join writes a multi-valued cell: codes joined by ':' with no spaces.
func Join(codes []string) string { return strings.Join(codes, ":") }

// Split reads a multi-valued cell.
func Split(cell string) []string {
	if cell == "" {
		return nil
	}
	return strings.Split(cell, ":")
}

// JoinInts writes a multi-valued cell of numbers (SE5).
func JoinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return Join(s)
}

// Row is one service delivered to one citizen, as the platform imports it.
// Multi-valued fields are slices; Row.Record joins them.
type Row struct {
	FacilitatorID, FacilitatorName string // IDFacilitatore, NominativoFacilitatore
	SiteID, SiteName               string // IDSede, NominativoSede
	FirstName, Surname             string // AN1, AN2
	CF                             string // AN3, empty when NoCF
	NoCF                           bool   // AN4
	DocType, DocNumber             string // AN5, AN6, only when NoCF
	Gender                         string // AN7
	AgeBand                        string // AN8
	Education                      string // AN9
	Employment                     string // AN10
	Citizenship                    string // AN11
	Province                       string // AN12
	FirstTime                      bool   // PR1
	UsedBefore                     []string
	Date                           time.Time // SE1
	Duration                       time.Duration
	ServiceTypes                   []string // SE3
	Areas                          []string // SE4; derived from Competences when empty
	Competences                    []int    // SE5
	Domains                        []string // SE6
	Details                        string   // SE7
	Survey                         [6]string
}

// Record returns the 33 cells of the row, in Columns order.
func (r Row) Record() []string {
	an4, pr1 := "NO", "No"
	if r.NoCF {
		an4 = "SI"
	}
	if r.FirstTime {
		pr1 = "Sì"
	}
	areas := r.Areas
	if len(areas) == 0 {
		areas = DeriveAreas(r.Competences)
	}
	rec := []string{
		r.FacilitatorID, r.FacilitatorName, r.SiteID, r.SiteName,
		r.FirstName, r.Surname, r.CF, an4, r.DocType, r.DocNumber,
		r.Gender, r.AgeBand, r.Education, r.Employment, r.Citizenship, r.Province,
		"", "", pr1, Join(r.UsedBefore),
		r.Date.Format(time.DateOnly), Duration(r.Duration), Join(r.ServiceTypes), Join(areas),
		JoinInts(r.Competences), Join(r.Domains), r.Details,
	}
	return append(rec, r.Survey[:]...)
}

// DeriveAreas returns the SE4 areas that the SE5 competences belong to, in
// order and without repeats.
func DeriveAreas(competences []int) []string {
	var out []string
	for _, c := range competences {
		if a, ok := AreaOf(c); ok && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// Problem is one rule a row breaks: the column, what is wrong and how to fix
// it.
type Problem struct {
	Column string
	Reason string
	Fix    string
}

func (p Problem) String() string { return p.Column + ": " + p.Reason + " (" + p.Fix + ")" }

// CFChecker validates AN3. The facilita package does not import the kiosk's
// codice fiscale package, so the hub can plug in its own.
type CFChecker func(string) error

// Check returns every rule the row breaks; none means the platform accepts
// it.
func (r Row) Check(checkCF CFChecker) []Problem {
	var ps []Problem
	add := func(col, reason, fix string) { ps = append(ps, Problem{col, reason, fix}) }
	text := func(col, v, fix string) {
		switch {
		case strings.TrimSpace(v) == "":
			add(col, "is empty", fix)
		case !utf8.ValidString(v):
			add(col, "is not valid UTF-8", fix)
		case strings.ContainsAny(v, "\"\r\n"):
			add(col, "contains a double quote or a line break, which the importer drops", "remove it")
		}
	}
	text("IDFacilitatore", r.FacilitatorID, "set the facilitator's national ID in the staff roster")
	text("NominativoFacilitatore", r.FacilitatorName, "set the facilitator's name in the staff roster")
	text("IDSede", r.SiteID, "set records.site_id in the configuration")
	text("NominativoSede", r.SiteName, "set records.site_name in the configuration")
	text("AN1", r.FirstName, "record the citizen's first name")
	text("AN2", r.Surname, "record the citizen's surname")
	if r.NoCF {
		if r.CF != "" {
			add("AN3", "holds a codice fiscale although AN4 says none is available", "drop one of the two")
		}
		if _, ok := DocumentTypes[r.DocType]; !ok {
			add("AN5", fmt.Sprintf("document type %q is not one of A–E", r.DocType), "record the ID document type")
		}
		text("AN6", r.DocNumber, "record the ID document number")
	} else {
		if checkCF == nil {
			add("AN3", "no codice fiscale checker", "programming error")
		} else if err := checkCF(r.CF); err != nil {
			add("AN3", err.Error(), "correct the citizen's codice fiscale")
		}
		if r.DocType != "" || r.DocNumber != "" {
			add("AN5", "a document is given although the codice fiscale is", "drop the document")
		}
	}
	code := func(col, v string, list map[string]string, fix string) {
		if v == "" {
			add(col, "is empty", fix)
		} else if _, ok := list[v]; !ok {
			add(col, fmt.Sprintf("%q is not in the code list", v), fix)
		}
	}
	code("AN7", r.Gender, Genders, "record the gender")
	code("AN8", r.AgeBand, AgeBands, "record the age band")
	code("AN9", r.Education, Educations, "ask the citizen's highest education (L if unknown)")
	code("AN10", r.Employment, Employments, "ask the citizen's employment")
	code("AN11", r.Citizenship, Citizenships, "ask the citizen's citizenship")
	text("AN12", r.Province, "ask the citizen's province of domicile")
	multi := func(col string, v []string, list map[string]string, mandatory bool, fix string) {
		if len(v) == 0 {
			if mandatory {
				add(col, "is empty", fix)
			}
			return
		}
		for i, c := range v { // a handful of codes: no map needed
			if _, ok := list[c]; !ok {
				add(col, fmt.Sprintf("%q is not in the code list", c), fix)
			} else if slices.Contains(v[:i], c) {
				add(col, fmt.Sprintf("%q is repeated", c), fix)
			}
		}
	}
	multi("PR2", r.UsedBefore, ServiceTypes, false, "use SE3 codes")
	if r.FirstTime && len(r.UsedBefore) > 0 {
		add("PR2", "lists services used before, but PR1 says this is the first time", "correct PR1 or PR2")
	}
	if r.Date.IsZero() {
		add("SE1", "is empty", "record the service date")
	}
	if r.Duration <= 0 {
		add("SE2", "is empty", "record how long the service took")
	} else if r.Duration >= 100*time.Hour {
		add("SE2", "does not fit HH:MM", "record a duration under 100 hours")
	}
	multi("SE3", r.ServiceTypes, ServiceTypes, true, "pick the service type")
	if len(r.Competences) == 0 {
		add("SE5", "is empty", "pick the competence (the guide used gives it)")
	}
	for i, c := range r.Competences {
		if _, ok := AreaOf(c); !ok {
			add("SE5", fmt.Sprintf("%d is not a competence 1–13", c), "pick the competence")
		} else if slices.Contains(r.Competences[:i], c) {
			add("SE5", fmt.Sprintf("%d is repeated", c), "list each competence once")
		}
	}
	if len(r.Areas) > 0 && !slices.Equal(r.Areas, DeriveAreas(r.Competences)) {
		add("SE4", fmt.Sprintf("%s does not match the competences %s", Join(r.Areas), JoinInts(r.Competences)), "leave SE4 to be derived from SE5")
	}
	multi("SE6", r.Domains, Domains, true, "pick the public-service domain (S if none)")
	if utf8.RuneCountInString(r.Details) > MaxDetails {
		add("SE7", fmt.Sprintf("has %d characters, at most %d", utf8.RuneCountInString(r.Details), MaxDetails), "shorten the details")
	}
	if strings.ContainsAny(r.Details, "\"\r\n") {
		add("SE7", "contains a double quote or a line break, which the importer drops", "remove it")
	}
	return ps
}

// ParseGuideCodes reads the SE5 and SE6 codes that an e-service guide or a
// course gives as text ("9", "9:6", "9, 6"; "A", "A:L"), checking them
// against the code lists.
func ParseGuideCodes(se5, se6 string) ([]int, []string, error) {
	sep := func(r rune) bool { return r == ':' || r == ',' || r == ';' || r == ' ' }
	var comps []int
	for _, f := range strings.FieldsFunc(se5, sep) {
		n, err := strconv.Atoi(f)
		if _, ok := AreaOf(n); err != nil || !ok {
			return nil, nil, fmt.Errorf("facilita: SE5 %q: %q is not a competence 1–13", se5, f)
		}
		if !slices.Contains(comps, n) {
			comps = append(comps, n)
		}
	}
	var doms []string
	for _, f := range strings.FieldsFunc(se6, sep) {
		f = strings.ToUpper(f)
		if _, ok := Domains[f]; !ok {
			return nil, nil, fmt.Errorf("facilita: SE6 %q: %q is not a public-service domain A–S", se6, f)
		}
		if !slices.Contains(doms, f) {
			doms = append(doms, f)
		}
	}
	return comps, doms, nil
}
