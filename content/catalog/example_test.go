package catalog_test

import (
	"context"
	"fmt"

	"github.com/officina-digitale/officina/content/catalog"
)

// The UI lists the catalogue in the visitor's language, opens an item and
// searches.
func Example() {
	c, err := catalog.Builtin(context.Background())
	if err != nil {
		panic(err)
	}
	defer c.Close()

	for _, e := range c.List("en")[:2] {
		fmt.Printf("%s (%s, DigComp %v level %d, %d min)\n", e.Title, e.Kind, e.DigComp, e.Level, e.Minutes)
	}

	cie, _ := c.Item("cie-pin-puk")
	first, _ := cie.Steps[0].Get("en")
	fmt.Println(first)

	hits, _ := c.Search("truffa sms", "it")
	fmt.Println(hits[0].ItemID, hits[0].Title)
	// Output:
	// Finding a book in the library catalogue (course, DigComp [1.1] level 1, 20 min)
	// First steps with a smartphone (course, DigComp [5.1] level 1, 30 min)
	// On the Comune's receipt find the first 4 digits of the PIN and the first 4 of the PUK.
	// truffe-online Riconoscere una truffa via SMS
}
