package seal

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSealOpen(t *testing.T) {
	priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	s := NewSealer(priv.PublicKey(), time.Hour, func() time.Time { return now })
	a, ka, err := s.Seal([]byte("RSSMRA80A01D969Z"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a, "RSSMRA") {
		t.Fatalf("sealed text shows the plaintext: %s", a)
	}
	b, kb, _ := s.Seal([]byte("RSSMRA80A01D969Z"))
	if a == b {
		t.Error("sealing twice gave the same text: equal values would be recognisable")
	}
	if ka.ID != kb.ID {
		t.Error("the data key rotated within the hour")
	}
	now = now.Add(2 * time.Hour)
	c, kc, _ := s.Seal([]byte("BNCNNA52L55D612I"))
	if kc.ID == ka.ID {
		t.Error("the data key did not rotate after the interval")
	}

	o := NewOpener(priv)
	if _, err := o.Open(a); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("open before learning the key: %v, want ErrUnknownKey", err)
	}
	for _, k := range []WrappedKey{ka, kc} {
		if err := o.Learn(k); err != nil {
			t.Fatal(err)
		}
	}
	for text, want := range map[string]string{a: "RSSMRA80A01D969Z", b: "RSSMRA80A01D969Z", c: "BNCNNA52L55D612I"} {
		got, err := o.Open(text)
		if err != nil || string(got) != want {
			t.Errorf("Open = %q, %v; want %q", got, err, want)
		}
	}
	damaged := []byte(a)
	damaged[len(damaged)-3] ^= 1
	if _, err := o.Open(string(damaged)); err == nil {
		t.Error("a damaged value opened")
	}
	if _, err := o.Open("RSSMRA80A01D969Z"); !errors.Is(err, ErrMalformed) {
		t.Errorf("open of plain text: %v", err)
	}

	other, _ := GenerateKey()
	o2 := NewOpener(other)
	if err := o2.Learn(ka); !errors.Is(err, ErrWrongKey) {
		t.Errorf("another key learned the data key: %v", err)
	}
	if _, err := o2.Open(a); !errors.Is(err, ErrWrongKey) {
		t.Errorf("open with another key: %v, want ErrWrongKey", err)
	}
}

func TestKeyFile(t *testing.T) {
	if _, err := NewKeyFile("short", 1000); err == nil {
		t.Error("a 5-character passphrase was accepted")
	}
	kf, err := NewKeyFile("coordinatore di Genova", 1000)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "export-key.json")
	if err := kf.Save(path); err != nil {
		t.Fatal(err)
	}
	kf2, err := LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kf2.Unlock("coordinatore di genova"); !errors.Is(err, ErrPassphrase) {
		t.Errorf("wrong passphrase: %v, want ErrPassphrase", err)
	}
	priv, err := kf2.Unlock("coordinatore di Genova")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kf2.PublicKey()
	s := NewSealer(pub, 0, time.Now)
	v, k, _ := s.Seal([]byte("segreto"))
	o := NewOpener(priv)
	o.Learn(k)
	if got, err := o.Open(v); err != nil || !bytes.Equal(got, []byte("segreto")) {
		t.Errorf("round trip through the key file: %q, %v", got, err)
	}
}
