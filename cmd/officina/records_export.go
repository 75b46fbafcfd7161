package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/monitoring"
	"github.com/officina-digitale/officina/kiosk/seal"
)

// exportFacilita writes the national monitoring CSV files for a period from
// this kiosk's own log, opening the sealed identities with the local export
// key.
func exportFacilita(ctx context.Context, e *env, k *kiosk, from, to time.Time, out string) error {
	a := k.records
	if out == "" {
		return fmt.Errorf("%w: give the output directory with --out DIR", errUsage)
	}
	if a.cfg.ExportPublicKey != "" && !a.hubSealed {
		return errors.New("this kiosk seals personal data to the hub's key, which it cannot open: run the export on the hub (officina-hub export facilita)")
	}
	kf, err := seal.LoadKeyFile(a.keyFile)
	if a.hubSealed {
		// Services recorded before enrolment were sealed to the local
		// export key: only this kiosk can export them. Those recorded
		// since are sealed to the hub and exported there.
		if errors.Is(err, os.ErrNotExist) {
			return errors.New("this kiosk is enrolled: personal data is sealed to the hub's key; run the export on the hub (officina-hub export facilita)")
		}
		fmt.Fprintln(e.stderr, "note: this kiosk is enrolled; this exports only the services recorded before enrolment (sealed to the local key). Those since are exported by the hub and are listed here as rejected.")
	}
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no export key at %s: nothing personal can have been recorded yet; run 'officina export setup' first", a.keyFile)
	}
	if err != nil {
		return err
	}
	p, err := passphrase(e, "coordinator passphrase: ")
	if err != nil {
		return err
	}
	priv, err := kf.Unlock(p)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	res, err := monitoring.Export(ctx, k.store.Events(ctx, 0), monitoring.Options{From: from, To: to, Opener: seal.NewOpener(priv), Dir: out})
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
