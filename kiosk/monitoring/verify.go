package monitoring

import (
	"fmt"
	"io"
	"os"

	"github.com/officina-digitale/officina/kiosk/codicefiscale"
	"github.com/officina-digitale/officina/kiosk/facilita"
)

// VerifyFiles re-reads each written file as the national platform would
// (facilita.Verify, with full codice fiscale checks) and returns every
// problem found, each prefixed with its file. An export calls itself done
// only when this returns none.
func VerifyFiles(files []string) ([]string, error) {
	var broken []string
	for _, file := range files {
		fh, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		problems, err := facilita.Verify(fh, func(s string) error { _, err := codicefiscale.Parse(s); return err })
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("monitoring: verify %s: %w", file, err)
		}
		for _, p := range problems {
			broken = append(broken, file+": "+p)
		}
	}
	return broken, nil
}

// WriteSummary tells the coordinator, in plain words, what an export wrote
// and what it could not.
func (r Result) WriteSummary(w io.Writer) {
	for _, f := range r.Files {
		fmt.Fprintln(w, "wrote", f)
	}
	fmt.Fprintf(w, "%d rows for %d services delivered to %d unique citizens\n", r.Rows, r.Services, r.UniqueCitizens)
	if len(r.Rejected) > 0 {
		fmt.Fprintf(w, "%d services could NOT be exported: see %s for the reason and the fix of each\n", len(r.Rejected), r.Report)
	}
}
