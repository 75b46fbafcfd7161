package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// Writes of many different sizes must not fill the statement cache with
// one INSERT per size: only the single-event and full-batch shapes stay.
func TestAppendSizesDoNotCrowdTheStatementCache(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "k.db"), "ofc-test", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for n := 1; n <= 2*appendBatch+3; n += 7 {
		if err := s.Write(ctx, func(tx *Tx) error {
			for i := 0; i < n; i++ {
				if _, err := tx.Append("k", 1, nil); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	inserts := 0
	for q := range s.stmts {
		if strings.HasPrefix(q, "INSERT INTO events") {
			inserts++
		}
	}
	if inserts > 2 {
		t.Errorf("%d INSERT shapes cached, want at most 2 (one event, a full batch)", inserts)
	}
	if last, _ := s.LastSeq(ctx); last == 0 {
		t.Error("nothing was appended")
	}
}
