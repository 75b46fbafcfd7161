package printer

import (
	"fmt"
	"strings"
	"time"

	"github.com/officina-digitale/officina/hardware/escpos"
)

// Document is something the printer can print: it encodes itself for a
// paper width.
type Document interface {
	// Kind names the layout for the queue and the logs: "ticket", "receipt", "certificate".
	Kind() string
	Encode(p escpos.Paper) ([]byte, error)
}

// Ticket is a queue ticket with a big number.
type Ticket struct {
	Place   string    // e.g. "Biblioteca Berio"
	Number  string    // e.g. "A042"
	Service string    // e.g. "SPID e identità digitale"
	Waiting int       // people ahead, -1 if unknown
	Issued  time.Time // when the ticket was taken
}

// Kind returns "ticket".
func (Ticket) Kind() string { return "ticket" }

// Encode lays the ticket out.
func (t Ticket) Encode(p escpos.Paper) ([]byte, error) {
	if strings.TrimSpace(t.Number) == "" {
		return nil, fmt.Errorf("printer: ticket without a number")
	}
	e := escpos.NewEncoder(p).Init().Align(escpos.Center)
	if t.Place != "" {
		e.Bold(true).Text(t.Place).Bold(false)
	}
	e.Text(t.Service).Feed(1)
	big := 4
	if p.Columns < 40 {
		big = 3
	}
	e.Size(big, big).Bold(true).Text(t.Number).Bold(false).Size(1, 1).Feed(1)
	if t.Waiting >= 0 {
		if t.Waiting == 1 {
			e.Text("1 persona prima di te")
		} else {
			e.Text(fmt.Sprintf("%d persone prima di te", t.Waiting))
		}
	}
	if !t.Issued.IsZero() {
		e.Text(t.Issued.Format("02/01/2006 15:04"))
	}
	return e.Feed(3).Cut().Bytes()
}

// Receipt summarises what was done and what to do next.
type Receipt struct {
	Place string
	Title string    // e.g. "Riepilogo dell'assistenza"
	Time  time.Time // when the service ended
	Done  []string  // what was done, one item per line
	Next  []string  // what to do next, numbered
	// Amount, if set, is printed right-aligned under Title (a pagoPA notice).
	AmountLabel string
	AmountCents int64
	// QR, if set, is printed at the bottom (e.g. the pagoPA notice to pay
	// with App IO, or a link to the guide).
	QR      string
	QRLabel string
	Footer  string
}

// Kind returns "receipt".
func (Receipt) Kind() string { return "receipt" }

// Encode lays the receipt out.
func (r Receipt) Encode(p escpos.Paper) ([]byte, error) {
	e := escpos.NewEncoder(p).Init().Align(escpos.Center)
	if r.Place != "" {
		e.Bold(true).Text(r.Place).Bold(false)
	}
	if !r.Time.IsZero() {
		e.Text(r.Time.Format("02/01/2006 15:04"))
	}
	e.Align(escpos.Left).Rule('-').Bold(true).Text(r.Title).Bold(false)
	if r.AmountLabel != "" {
		e.Columns2(r.AmountLabel, Euro(r.AmountCents))
	}
	if len(r.Done) > 0 {
		e.Feed(1).Bold(true).Text("Cosa abbiamo fatto").Bold(false)
		for _, d := range r.Done {
			e.Text("· " + d)
		}
	}
	if len(r.Next) > 0 {
		e.Feed(1).Bold(true).Text("Cosa fare ora").Bold(false)
		for i, n := range r.Next {
			e.Text(fmt.Sprintf("%d. %s", i+1, n))
		}
	}
	if r.QR != "" {
		e.Feed(1).Align(escpos.Center).QR(r.QR, escpos.QRMedium, qrModule(p))
		if r.QRLabel != "" {
			e.Text(r.QRLabel)
		}
		e.Align(escpos.Left)
	}
	if r.Footer != "" {
		e.Rule('-').Text(r.Footer)
	}
	return e.Feed(3).Cut().Bytes()
}

// Certificate is a course certificate with a QR verification code.
type Certificate struct {
	Place     string
	Citizen   string // the name as the citizen wants it printed
	Course    string
	Hours     int
	DigComp   string // e.g. "2.3, 2.6 · livello 2"
	Completed time.Time
	// VerifyURL is encoded in the QR code; Code is printed under it so it
	// can be typed in.
	VerifyURL string
	Code      string
	Logo      *escpos.Bitmap
}

// Kind returns "certificate".
func (Certificate) Kind() string { return "certificate" }

// Encode lays the certificate out.
func (c Certificate) Encode(p escpos.Paper) ([]byte, error) {
	if c.Citizen == "" || c.Course == "" || c.VerifyURL == "" {
		return nil, fmt.Errorf("printer: a certificate needs a name, a course and a verification URL")
	}
	e := escpos.NewEncoder(p).Init().Align(escpos.Center)
	if c.Logo != nil {
		e.Raster(*c.Logo).Feed(1)
	}
	if c.Place != "" {
		e.Text(c.Place)
	}
	e.Feed(1).Size(2, 2).Bold(true).Text("Attestato").Size(1, 1).Bold(false).Feed(1)
	e.Text("Si attesta che").Size(1, 2).Bold(true).Text(c.Citizen).Size(1, 1).Bold(false)
	e.Text("ha completato il percorso").Bold(true).Text(c.Course).Bold(false)
	if c.Hours > 0 {
		e.Text(fmt.Sprintf("durata: %d ore", c.Hours))
	}
	if c.DigComp != "" {
		e.Text("DigComp 2.2: " + c.DigComp)
	}
	if !c.Completed.IsZero() {
		e.Text("il " + c.Completed.Format("02/01/2006"))
	}
	e.Feed(1).QR(c.VerifyURL, escpos.QRQuartile, qrModule(p))
	e.Text("Verifica: " + c.VerifyURL)
	if c.Code != "" {
		e.Text("Codice " + c.Code)
	}
	return e.Feed(3).Cut().Bytes()
}

func qrModule(p escpos.Paper) int {
	if p.Columns < 40 {
		return 5
	}
	return 7
}

// Euro formats cents the Italian way: "1.234,50 €".
func Euro(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := fmt.Sprint(cents / 100)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "." + whole[i:]
	}
	s := fmt.Sprintf("%s,%02d €", whole, cents%100)
	if neg {
		s = "-" + s
	}
	return s
}

// OfficinaLogo is a small 1-bit logo (a 48×48 rounded square with an "O"),
// drawn in code so no image file needs shipping.
func OfficinaLogo() escpos.Bitmap {
	const w, h = 48, 48
	b := escpos.Bitmap{WidthBytes: w / 8, Height: h, Data: make([]byte, w/8*h)}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-23.5, float64(y)-23.5
			r2 := dx*dx + dy*dy
			border := x < 3 || y < 3 || x >= w-3 || y >= h-3
			ring := r2 > 12*12 && r2 < 18*18
			if border || ring {
				b.Data[y*(w/8)+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return b
}

// Samples returns one document of each layout, for `officina print --test`.
func Samples(place string, now time.Time) map[string]Document {
	logo := OfficinaLogo()
	return map[string]Document{
		"ticket": Ticket{Place: place, Number: "A042", Service: "SPID e identità digitale", Waiting: 3, Issued: now},
		"receipt": Receipt{
			Place: place, Title: "Riepilogo dell'assistenza", Time: now,
			AmountLabel: "Avviso pagoPA (TARI)", AmountCents: 1550,
			Done: []string{"Letto l'avviso pagoPA 3021 2345 6789 0123 56", "Spiegato come pagarlo con App IO"},
			Next: []string{"Apri App IO e tocca «Paga»", "Inquadra il codice QR qui sotto", "Oppure paga in banca, in posta o dal tabaccaio con questo foglio"},
			QR:   "PAGOPA|002|302123456789012356|01234567890|0000001550", QRLabel: "Codice QR dell'avviso",
			Footer: "Officina digitale: facilitazione gratuita per tutti.",
		},
		"certificate": Certificate{
			Place: place, Citizen: "Maria Rossi", Course: "Identità digitale: SPID e CIE", Hours: 6,
			DigComp: "2.6 · livello 2", Completed: now,
			VerifyURL: "https://officina.example.it/v/7Q4K-9XJ2", Code: "7Q4K-9XJ2", Logo: &logo,
		},
	}
}
