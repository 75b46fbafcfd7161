// Package apply hands what a kiosk downloads from its hub to the areas that
// own it: the signed catalogue to the content library, the staff roster to
// the records area's roster, and the library's blobs to LAN siblings that
// ask for them. Each type implements one interface of package sync/client
// (or sync/lan) over one area's own type, so neither area imports sync.
package apply

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/sync/client"
	"github.com/officina-digitale/officina/sync/lan"
	"github.com/officina-digitale/officina/sync/wire"
)

// Catalogue activates signed manifests from the hub in a content library.
type Catalogue struct {
	Library *bundle.Library
	// Reload, if set, runs after a manifest is activated, so the kiosk
	// shows the new catalogue (the content area's Reload).
	Reload func(ctx context.Context) error
}

var _ client.Catalogue = Catalogue{}

// Blobs verifies the manifest's signature against the library's trusted
// keys and lists the blobs the library lacks.
func (c Catalogue) Blobs(manifest []byte) ([]client.Blob, error) {
	files, err := c.Library.Missing(manifest)
	if err != nil {
		return nil, err
	}
	out := make([]client.Blob, 0, len(files))
	seen := map[string]bool{}
	for _, f := range files {
		if !seen[f.SHA256] { // two paths may share one blob
			seen[f.SHA256] = true
			out = append(out, client.Blob{SHA256: f.SHA256, Size: f.Size})
		}
	}
	return out, nil
}

// Activate switches the library to the manifest (which verifies every blob
// and runs the content check) and reloads the catalogue shown.
func (c Catalogue) Activate(ctx context.Context, manifest []byte) error {
	m, err := c.Library.Activate(ctx, manifest)
	if err != nil {
		return err
	}
	if c.Reload != nil {
		if err := c.Reload(ctx); err != nil {
			return fmt.Errorf("apply: catalogue %s version %d activated but not shown: %w", m.Name, m.Version, err)
		}
	}
	return nil
}

// Roster replaces the kiosk's staff roster with the hub's.
type Roster struct {
	Roster *staff.Roster
}

var _ client.RosterApplier = Roster{}

// ApplyRoster checks every row and replaces the roster in one transaction:
// one bad row (missing ID, unknown role, a PIN hash in another format)
// changes nothing and is reported, and the sync client retries at the next
// pull. Staff no longer on the hub's roster are deactivated. A row with no
// role is a facilitator.
func (r Roster) ApplyRoster(ctx context.Context, ro wire.Roster) error {
	if err := r.Roster.Replace(ctx, Entries(ro.Staff)); err != nil {
		return fmt.Errorf("apply: roster version %d refused: %w", ro.Version, err)
	}
	return nil
}

// Entries turns the hub's roster rows into the records area's; a row with
// no role is a facilitator. The hub checks a roster with
// staff.CheckEntries(Entries(rows)) before accepting it.
func Entries(rows []wire.StaffMember) []staff.Entry {
	entries := make([]staff.Entry, 0, len(rows))
	for _, m := range rows {
		role := strings.TrimSpace(m.Role)
		if role == "" {
			role = staff.Facilitator
		}
		entries = append(entries, staff.Entry{
			Member:  staff.Member{ID: strings.TrimSpace(m.ID), Name: strings.TrimSpace(m.Name), Role: role, Card: m.Card, Active: true},
			PINHash: m.PINHash,
		})
	}
	return entries
}

// Blobs serves a library's blobs to LAN siblings (they verify what they
// get against the signed manifest).
type Blobs struct {
	Blobs *bundle.Blobs
}

var _ lan.BlobOpener = Blobs{}

// Open opens the blob named by its SHA-256.
func (b Blobs) Open(sha256 string) (io.ReadCloser, error) {
	f, err := b.Blobs.Open(sha256)
	if err != nil {
		return nil, err
	}
	return f, nil
}
