package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // service dates are Italian dates even where the OS has no zoneinfo

	"github.com/officina-digitale/officina/kiosk/monitoring"
	"github.com/officina-digitale/officina/sync/hub"
)

var errNoPeriod = errors.New("give the period with --from YYYY-MM-DD --to YYYY-MM-DD")

const exportUsage = "export facilita --from YYYY-MM-DD --to YYYY-MM-DD --out DIR"

// exportCmd writes the national monitoring CSV files for a period from the
// events every kiosk has uploaded, opening the sealed codici fiscali with
// the hub's seal key.
func exportCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "facilita" {
		return fmt.Errorf("%w: %s", errUsage, exportUsage)
	}
	fs, data := flags("export facilita", e)
	out := fs.String("out", "", "directory for the CSV files (at most 9,000 rows each)")
	from := fs.String("from", "", "first service date, YYYY-MM-DD")
	to := fs.String("to", "", "last service date, YYYY-MM-DD")
	if err := fs.Parse(interleave(fs, args[1:])); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: give the output directory with --out DIR", errUsage)
	}
	f, err1 := time.Parse(time.DateOnly, *from)
	t, err2 := time.Parse(time.DateOnly, *to)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("%w: %w", errUsage, errNoPeriod)
	}
	h, err := open(ctx, *data, nil)
	if err != nil {
		return err
	}
	defer h.store.Close()
	opener, err := h.keys.SealOpener()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", *out, err)
	}
	res, err := monitoring.Export(ctx, hub.Events(ctx, h.store), monitoring.Options{From: f, To: t, Opener: opener, Dir: *out})
	if err != nil {
		return err
	}
	// Read every file back as the platform would before calling it done.
	broken, err := monitoring.VerifyFiles(res.Files)
	if err != nil {
		return err
	}
	if len(broken) > 0 {
		return fmt.Errorf("the written files break national rules (a bug: please report it):\n%s", strings.Join(broken, "\n"))
	}
	res.WriteSummary(e.stdout)
	return nil
}
