package facilita

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"path/filepath"

	"github.com/officina-digitale/officina/kiosk/atomicfile"
)

// Writer writes rows into dir as prefix-001.csv, prefix-002.csv, …, each
// with the header and at most MaxRowsPerFile rows. Each file appears whole
// or not at all (written to a temporary file, synced, renamed).
type Writer struct {
	dir, prefix string
	max         int
	buf         bytes.Buffer
	csv         *csv.Writer
	rows        int
	files       []string
}

// NewWriter returns a writer of files in dir named prefix-NNN.csv.
func NewWriter(dir, prefix string) *Writer {
	w := &Writer{dir: dir, prefix: prefix, max: MaxRowsPerFile}
	w.csv = csv.NewWriter(&w.buf)
	w.csv.UseCRLF = true
	return w
}

// Write adds one row (its Record, 33 cells).
func (w *Writer) Write(rec []string) error {
	if len(rec) != len(Columns) {
		return fmt.Errorf("facilita: row has %d cells, want %d", len(rec), len(Columns))
	}
	if w.rows == 0 {
		if err := w.csv.Write(Columns[:]); err != nil {
			return err
		}
	}
	if err := w.csv.Write(rec); err != nil {
		return err
	}
	w.rows++
	if w.rows == w.max {
		return w.flush()
	}
	return nil
}

func (w *Writer) flush() error {
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return err
	}
	name := filepath.Join(w.dir, fmt.Sprintf("%s-%03d.csv", w.prefix, len(w.files)+1))
	if err := atomicfile.WriteFile(name, w.buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("facilita: write %s: %w", name, err)
	}
	w.files = append(w.files, name)
	w.buf.Reset()
	w.rows = 0
	return nil
}

// Close writes the last, partial file and returns every file written. An
// export with no rows writes one file holding only the header, so the
// coordinator sees that the period was empty.
func (w *Writer) Close() ([]string, error) {
	if w.rows > 0 || len(w.files) == 0 {
		if w.rows == 0 {
			if err := w.csv.Write(Columns[:]); err != nil {
				return w.files, err
			}
		}
		if err := w.flush(); err != nil {
			return w.files, err
		}
	}
	return w.files, nil
}
