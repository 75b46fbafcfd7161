package people

import (
	"context"
	"fmt"
	"time"

	"github.com/officina-digitale/officina/kiosk/store"
)

// Erase applies the retention limit: sealed personal data recorded before
// the given time is erased from the citizen register and from every event
// payload that carries it (by convention a top-level "sealed" field), while
// the events themselves, and so every count, remain. It appends a
// citizen.erased event and returns how many citizens and events it touched.
//
// This is the one place where a payload in the log is rewritten: the law
// asks for the data to go, and the field is opaque to the kiosk anyway. The
// hub applies the same limit to its own copy.
func (r *Registry) Erase(ctx context.Context, before time.Time) (ErasedEvent, error) {
	out := ErasedEvent{Before: before.UTC()}
	err := r.st.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(`UPDATE citizens SET sealed = '', erased_ms = ? WHERE sealed != '' AND last_seen_ms < ?`,
			tx.Now().UnixMilli(), before.UnixMilli())
		if err != nil {
			return fmt.Errorf("people: erase citizens: %w", err)
		}
		n, _ := res.RowsAffected()
		out.Citizens = int(n)
		res, err = tx.Exec(`UPDATE events
			SET payload = CAST(json_set(CAST(payload AS TEXT), '$.sealed', '') AS BLOB)
			WHERE wall_ms < ? AND json_valid(CAST(payload AS TEXT))
			  AND COALESCE(json_extract(CAST(payload AS TEXT), '$.sealed'), '') != ''`, before.UnixMilli())
		if err != nil {
			return fmt.Errorf("people: erase sealed data from events: %w", err)
		}
		n, _ = res.RowsAffected()
		out.Events = int(n)
		if out.Citizens == 0 && out.Events == 0 {
			return nil
		}
		_, err = tx.AppendJSON(KindErased, 1, out)
		return err
	})
	return out, err
}
