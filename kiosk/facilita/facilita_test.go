package facilita

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func okCF(s string) error {
	if len(s) != 16 {
		return errors.New("bad cf")
	}
	return nil
}

func goodRow() Row {
	return Row{
		FacilitatorID: "FAC001", FacilitatorName: "Giulia D'Amico", SiteID: "GE-0042", SiteName: "Biblioteca Berio",
		FirstName: "Maria", Surname: "Rossi, detta Mary", CF: "RSSMRA80A01D969Z",
		Gender: "B", AgeBand: "B", Education: "C", Employment: "A", Citizenship: "A", Province: "GE",
		FirstTime: true, Date: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), Duration: 35 * time.Minute,
		ServiceTypes: []string{"A"}, Competences: []int{9, 6}, Domains: []string{"A", "L"},
	}
}

func TestRecordLayout(t *testing.T) {
	rec := goodRow().Record()
	if len(rec) != len(Columns) || len(Columns) != 33 {
		t.Fatalf("%d cells for %d columns", len(rec), len(Columns))
	}
	cell := func(col string) string {
		for i, c := range Columns {
			if c == col {
				return rec[i]
			}
		}
		t.Fatalf("no column %s", col)
		return ""
	}
	for col, want := range map[string]string{"AN4": "NO", "PR1": "Sì", "SE1": "2026-11-03", "SE2": "00:35", "SE4": "B", "SE5": "9:6", "SE6": "A:L", "AN14": "", "AN17": ""} {
		if got := cell(col); got != want {
			t.Errorf("%s = %q, want %q", col, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	if ps := goodRow().Check(okCF); len(ps) != 0 {
		t.Fatalf("good row has problems: %v", ps)
	}
	tests := []struct {
		name string
		edit func(*Row)
		col  string
	}{
		{"no education", func(r *Row) { r.Education = "" }, "AN9"},
		{"unknown domain", func(r *Row) { r.Domains = []string{"Z"} }, "SE6"},
		{"competence 14", func(r *Row) { r.Competences = []int{14} }, "SE5"},
		{"repeated competence", func(r *Row) { r.Competences = []int{9, 6, 9} }, "SE5"},
		{"repeated domain", func(r *Row) { r.Domains = []string{"A", "L", "A"} }, "SE6"},
		{"repeated service type", func(r *Row) { r.ServiceTypes = []string{"A", "A"} }, "SE3"},
		{"wrong area", func(r *Row) { r.Areas = []string{"A"} }, "SE4"},
		{"no CF and no document", func(r *Row) { r.CF, r.NoCF = "", true }, "AN5"},
		{"bad CF", func(r *Row) { r.CF = "X" }, "AN3"},
		{"long details", func(r *Row) { r.Details = strings.Repeat("à", 601) }, "SE7"},
		{"quote in name", func(r *Row) { r.FirstName = `Maria "Mary"` }, "AN1"},
		{"zero duration", func(r *Row) { r.Duration = 0 }, "SE2"},
		{"first time yet used before", func(r *Row) { r.UsedBefore = []string{"A"} }, "PR2"},
		{"no site", func(r *Row) { r.SiteID = " " }, "IDSede"},
	}
	for _, tt := range tests {
		r := goodRow()
		tt.edit(&r)
		ps := r.Check(okCF)
		found := false
		for _, p := range ps {
			found = found || p.Column == tt.col
			if p.Fix == "" {
				t.Errorf("%s: problem %v has no fix", tt.name, p)
			}
		}
		if !found {
			t.Errorf("%s: problems %v, want one in %s", tt.name, ps, tt.col)
		}
	}
}

func TestDurationAndAgeBand(t *testing.T) {
	for d, want := range map[time.Duration]string{20 * time.Second: "00:01", 90 * time.Minute: "01:30", 29*time.Minute + 31*time.Second: "00:30", 10 * time.Hour: "10:00", 99*time.Hour + 59*time.Minute: "99:59", 100*time.Hour + 5*time.Minute: "100:05"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %s, want %s", d, got, want)
		}
	}
	for age, want := range map[int]string{18: "A", 29: "A", 30: "B", 54: "B", 55: "C", 74: "C", 75: "D", 101: "D"} {
		if got, err := AgeBand(age, false); err != nil || got != want {
			t.Errorf("AgeBand(%d) = %s, %v; want %s", age, got, err, want)
		}
	}
	if _, err := AgeBand(16, false); err == nil {
		t.Error("a 16-year-old was accepted by an adults-only programme")
	}
	if got, _ := AgeBand(16, true); got != "E" {
		t.Errorf("AgeBand(16, minors) = %s, want E", got)
	}
	if _, err := AgeBand(13, true); err == nil {
		t.Error("a 13-year-old was accepted")
	}
}

func TestWriterSplitsAndQuotes(t *testing.T) {
	dir := t.TempDir()
	w := NewWriter(dir, "facilita")
	w.max = 4
	for i := 0; i < 9; i++ {
		if err := w.Write(goodRow().Record()); err != nil {
			t.Fatal(err)
		}
	}
	files, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 || filepath.Base(files[2]) != "facilita-003.csv" {
		t.Fatalf("files = %v, want 3", files)
	}
	var total int
	for _, f := range files {
		b, _ := os.ReadFile(f)
		recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != strings.Join(Columns[:], ",") {
			t.Errorf("%s header = %v", f, recs[0])
		}
		total += len(recs) - 1
		if !strings.Contains(string(b), `,Giulia D'Amico,`) || !strings.Contains(string(b), `,"Rossi, detta Mary",`) {
			t.Errorf("%s: names not written as expected:\n%s", f, b)
		}
	}
	if total != 9 {
		t.Errorf("%d rows written, want 9", total)
	}
}

func TestVerifyCatchesBrokenFiles(t *testing.T) {
	var good strings.Builder
	w := csv.NewWriter(&good)
	w.UseCRLF = true
	w.Write(Columns[:])
	w.Write(goodRow().Record())
	w.Flush()
	if ps, err := Verify(strings.NewReader(good.String()), okCF); err != nil || len(ps) != 0 {
		t.Fatalf("good file: %v %v", ps, err)
	}
	line := strings.Split(good.String(), "\r\n")[1]
	header := strings.Join(Columns[:], ",") + "\r\n"
	tests := map[string]string{
		"multi-valued cell with a space": header + strings.Replace(line, ",9:6,", ",9: 6,", 1) + "\r\n",
		"SE4 not matching SE5":           header + strings.Replace(line, ",B,9:6,", ",A,9:6,", 1) + "\r\n",
		"duration not HH:MM":             header + strings.Replace(line, ",00:35,", ",0:35,", 1) + "\r\n",
		"date not ISO":                   header + strings.Replace(line, ",2026-11-03,", ",03/11/2026,", 1) + "\r\n",
		"education missing":              header + strings.Replace(line, ",B,B,C,A,A,GE,", ",B,B,,A,A,GE,", 1) + "\r\n",
		"a column short":                 header + strings.TrimSuffix(line, ",") + "\r\n",
		"header in another order":        strings.Replace(header, "AN1,AN2", "AN2,AN1", 1) + line + "\r\n",
		"bad codice fiscale":             header + strings.Replace(line, "RSSMRA80A01D969Z", "RSSMRA80", 1) + "\r\n",
		"PR1 as Si without accent":       header + strings.Replace(line, ",Sì,", ",Si,", 1) + "\r\n",
	}
	for name, file := range tests {
		if file == good.String() {
			t.Fatalf("%s: the edit did not apply", name)
		}
		ps, err := Verify(strings.NewReader(file), okCF)
		if err != nil || len(ps) == 0 {
			t.Errorf("%s: passed verification", name)
		}
	}
}

func TestWriterReportsAFailedWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing", "dir")
	w := NewWriter(dir, "facilita")
	if err := w.Write(goodRow().Record()); err != nil {
		t.Fatal(err)
	}
	files, err := w.Close()
	if err == nil || len(files) != 0 || !strings.Contains(err.Error(), "facilita-001.csv") {
		t.Errorf("Close into a missing directory = %v, %v; want an error naming the file", files, err)
	}
	if err := w.Write([]string{"too", "short"}); err == nil {
		t.Error("a 2-cell row was accepted")
	}
}

func TestParseGuideCodes(t *testing.T) {
	c, d, err := ParseGuideCodes("9, 6:9", "a;L")
	if err != nil || JoinInts(c) != "9:6" || Join(d) != "A:L" {
		t.Errorf("= %v %v %v", c, d, err)
	}
	for _, bad := range [][2]string{{"14", "A"}, {"x", "A"}, {"9", "T"}, {"0", ""}} {
		if _, _, err := ParseGuideCodes(bad[0], bad[1]); err == nil {
			t.Errorf("%q %q accepted", bad[0], bad[1])
		}
	}
}
