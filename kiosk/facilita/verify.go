package facilita

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Verify re-reads an export file the way the platform imports it and checks
// every file and row rule independently of Row.Check: header, column
// count, row limit, mandatory cells, code lists, date and duration formats,
// multi-valued cells, SE4 against SE5, AN3–AN6 consistency and SE7 length.
// It returns one line per broken rule; none means the file passes.
func Verify(r io.Reader, checkCF CFChecker) ([]string, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if !utf8.Valid(b) {
		bad("the file is not valid UTF-8")
	}
	if !bytes.HasPrefix(b, []byte(strings.Join(Columns[:], ",")+"\r\n")) {
		bad("the header is not the %d columns in order", len(Columns))
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = len(Columns)
	recs, err := cr.ReadAll()
	if err != nil {
		return append(out, "not valid CSV: "+err.Error()), nil
	}
	if len(recs)-1 > MaxRowsPerFile {
		bad("%d data rows, at most %d per file", len(recs)-1, MaxRowsPerFile)
	}
	mandatory := []string{"IDFacilitatore", "NominativoFacilitatore", "IDSede", "NominativoSede", "AN1", "AN2", "AN4",
		"AN7", "AN8", "AN9", "AN10", "AN11", "AN12", "SE1", "SE2", "SE3", "SE4", "SE5", "SE6"}
	single := map[string]map[string]string{"AN5": DocumentTypes, "AN7": Genders, "AN8": AgeBands, "AN9": Educations, "AN10": Employments, "AN11": Citizenships}
	multi := map[string]map[string]string{"PR2": ServiceTypes, "SE3": ServiceTypes, "SE4": Areas, "SE6": Domains}
	for i, rec := range recs[1:] {
		row := i + 1
		cell := make(map[string]string, len(Columns))
		for j, c := range Columns {
			cell[c] = rec[j]
		}
		for _, c := range mandatory {
			if strings.TrimSpace(cell[c]) == "" {
				bad("row %d: %s is empty", row, c)
			}
		}
		for c, list := range single {
			if _, ok := list[cell[c]]; cell[c] != "" && !ok {
				bad("row %d: %s %q is not in the code list", row, c, cell[c])
			}
		}
		for c, list := range multi {
			if cell[c] == "" {
				continue
			}
			for _, code := range strings.Split(cell[c], ":") {
				if _, ok := list[code]; !ok {
					bad("row %d: %s %q: %q is not in the code list", row, c, cell[c], code)
				}
			}
		}
		for _, c := range Columns {
			if strings.ContainsAny(cell[c], "\"\r\n") {
				bad("row %d: %s contains a double quote or a line break", row, c)
			}
		}
		switch cell["AN4"] {
		case "NO":
			if checkCF == nil || checkCF(cell["AN3"]) != nil {
				bad("row %d: AN3 %q is not a valid codice fiscale", row, cell["AN3"])
			}
			if cell["AN5"] != "" || cell["AN6"] != "" {
				bad("row %d: AN5/AN6 given with a codice fiscale", row)
			}
		case "SI":
			if cell["AN3"] != "" || cell["AN5"] == "" || cell["AN6"] == "" {
				bad("row %d: without a codice fiscale AN3 must be empty and AN5, AN6 given", row)
			}
		default:
			bad("row %d: AN4 %q is not SI or NO", row, cell["AN4"])
		}
		if cell["AN14"] != "" || cell["AN17"] != "" {
			bad("row %d: AN14 and AN17 must be empty", row)
		}
		if cell["PR1"] != "Sì" && cell["PR1"] != "No" {
			bad("row %d: PR1 %q is not Sì or No", row, cell["PR1"])
		}
		if d, err := time.Parse(time.DateOnly, cell["SE1"]); err != nil || d.Format(time.DateOnly) != cell["SE1"] {
			bad("row %d: SE1 %q is not YYYY-MM-DD", row, cell["SE1"])
		}
		if d, err := ParseDuration(cell["SE2"]); err != nil || d <= 0 {
			bad("row %d: SE2 %q is not a positive HH:MM", row, cell["SE2"])
		}
		areas := map[string]bool{}
		for _, s := range strings.Split(cell["SE5"], ":") {
			n, err := strconv.Atoi(s)
			a, ok := AreaOf(n)
			if err != nil || !ok || strconv.Itoa(n) != s {
				bad("row %d: SE5 %q: %q is not a competence 1-13", row, cell["SE5"], s)
				continue
			}
			areas[a] = true
		}
		got := map[string]bool{}
		for _, a := range strings.Split(cell["SE4"], ":") {
			got[a] = true
		}
		for a := range areas {
			if !got[a] {
				bad("row %d: SE4 %q lacks area %s of SE5 %q", row, cell["SE4"], a, cell["SE5"])
			}
		}
		for a := range got {
			if !areas[a] {
				bad("row %d: SE4 %q has area %s that no SE5 competence belongs to", row, cell["SE4"], a)
			}
		}
		if n := utf8.RuneCountInString(cell["SE7"]); n > MaxDetails {
			bad("row %d: SE7 has %d characters, at most %d", row, n, MaxDetails)
		}
	}
	return out, nil
}
