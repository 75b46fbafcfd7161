package codicefiscale_test

import (
	"fmt"
	"time"

	"github.com/officina-digitale/officina/kiosk/codicefiscale"
)

func ExampleParse() {
	// What a keyboard-mode barcode scanner sends for the back of a health card.
	c, err := codicefiscale.Parse("*BNCNNA52L55D612I*\r\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	fmt.Println(c, c.Gender(), c.BirthDate(now).Format(time.DateOnly), c.Place(), c.Age(now))

	_, err = codicefiscale.Parse("BNCNNA52L55D612Z")
	fmt.Println(err)
	// Output:
	// BNCNNA52L55D612I F 1952-07-15 D612 74
	// codice fiscale: character 16: the last character should be I: check the code on the health card
}
