package escpos_test

import (
	"fmt"

	"github.com/officina-digitale/officina/hardware/escpos"
)

func Example() {
	job, err := escpos.NewEncoder(escpos.Paper58).Init().
		Align(escpos.Center).Size(3, 3).Text("A042").Size(1, 1).
		Text("Perché: 15,50 €").
		QR("https://officina.example.it/v/7Q4K", escpos.QRMedium, 5).
		Cut().Bytes()
	if err != nil {
		panic(err)
	}
	ops, _ := escpos.Decode(job)
	fmt.Println(escpos.Lines(ops))
	// Output: [A042 Perché: 15,50 €]
}
