package card

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spitest"

	"github.com/officina-digitale/officina/kiosk/clock"
)

// The SPI traffic in these tests is BUILT FROM THE DATASHEET, not recorded
// from a chip: NXP MFRC522 rev. 3.9 (§8.1.2.3 SPI address byte: bit 7 set
// to read, register address in bits 6–1; §9.2 register map and reset
// values; §10.3 commands) and ISO/IEC 14443-3 (REQA 0x26 in 7 bits, ATQA,
// anticollision cascade level 1 0x93 0x20 answering UID0–3 and BCC,
// SELECT 0x93 0x70 with CRC_A, SAK). The order of register accesses is the
// one periph's mfrc522 driver (v3.7.4) performs; the values the chip
// answers are the datasheet's reset values and what a MIFARE Classic 1K
// card sends. A recording from real hardware would replace the values,
// not the shape.

// MFRC522 registers (datasheet §9.2).
const (
	regCommand    = 0x01
	regComIEn     = 0x02
	regComIrq     = 0x04
	regDivIrq     = 0x05
	regError      = 0x06
	regStatus2    = 0x08
	regFIFOData   = 0x09
	regFIFOLevel  = 0x0A
	regControl    = 0x0C
	regBitFraming = 0x0D
	regMode       = 0x11
	regTxControl  = 0x14
	regTxASK      = 0x15
	regCRCResultM = 0x21
	regCRCResultL = 0x22
	regRFCfg      = 0x26
	regTMode      = 0x2A
	regTPrescaler = 0x2B
	regTReloadH   = 0x2C
	regTReloadL   = 0x2D
	regVersion    = 0x37
)

// Commands (datasheet §10.3) and PICC commands (ISO/IEC 14443-3).
const (
	cmdIdle       = 0x00
	cmdCalcCRC    = 0x03
	cmdTransceive = 0x0C
	cmdSoftReset  = 0x0F
	cmdPowerDown  = 0x10 // PowerDown bit of CommandReg
	piccREQA      = 0x26
	piccSelCL1    = 0x93
)

// script builds the expected SPI exchange one register access at a time.
type script struct{ ops []conntest.IO }

func (s *script) write(reg, v byte) {
	s.ops = append(s.ops, conntest.IO{W: []byte{reg << 1, v}})
}

// read: the chip shifts the register's value out during the second byte.
func (s *script) read(reg, v byte) {
	s.ops = append(s.ops, conntest.IO{W: []byte{0x80 | reg<<1, 0}, R: []byte{0, v}})
}

// softReset and the timer/antenna set-up (driver Init): reset values
// come back afterwards, so TxControlReg reads 0x80 (both TX pins off).
func (s *script) init() {
	s.write(regCommand, cmdSoftReset)
	s.write(regTMode, 0x8D)      // TAuto, prescaler high nibble 0xD
	s.write(regTPrescaler, 0x3E) // 6.78 MHz / (2·0xD3E+1) ≈ 2 kHz timer
	s.write(regTReloadL, 30)     // 15 ms timeout
	s.write(regTReloadH, 0)
	s.write(regTxASK, 0x40)     // force 100 % ASK
	s.write(regMode, 0x3D)      // CRC preset 0x6363 (ISO 14443-3 CRC_A)
	s.write(regRFCfg, 0x40)     // receiver gain 33 dB
	s.read(regTxControl, 0x80)  // antenna off?
	s.read(regTxControl, 0x80)  // read-modify-write
	s.write(regTxControl, 0x83) // antenna on: Tx1RFEn | Tx2RFEn
}

// open is what NewMFRC522 sends: version register, then Init.
func (s *script) open(version byte) {
	s.read(regVersion, version)
	s.init()
}

// waitForCard arms the receive interrupt and sends REQA in the background
// (the driver's edge wait): the IRQ pin falls when a card answers.
func (s *script) waitForCard() {
	s.init()
	s.write(regComIrq, 0x00)
	s.write(regComIEn, 0xA0) // IRqInv | RxIEn
	s.write(regFIFOData, piccREQA)
	s.write(regCommand, cmdTransceive)
	s.write(regBitFraming, 0x87) // StartSend, 7 bits
}

// transceive is one driver CardWrite(Transceive): flush the FIFO, load
// out, start, poll ComIrqReg until RxIRq, then read the answer back.
func (s *script) transceive(framing byte, out, answer []byte) {
	s.write(regComIEn, 0xF7)
	s.read(regComIrq, 0x64) // TxIRq|RxIRq|LoAlertIRq left from before
	s.write(regComIrq, 0x64)
	s.read(regFIFOLevel, 0x00)
	s.write(regFIFOLevel, 0x80) // FlushBuffer
	s.write(regCommand, cmdIdle)
	for _, b := range out {
		s.write(regFIFOData, b)
	}
	s.write(regCommand, cmdTransceive)
	s.read(regBitFraming, framing)
	s.write(regBitFraming, framing|0x80) // StartSend
	s.read(regComIrq, 0x04)              // still sending
	s.read(regComIrq, 0x64)              // RxIRq: the card answered
	s.read(regBitFraming, framing|0x80)
	s.write(regBitFraming, framing)
	s.read(regError, 0x00)
	s.read(regFIFOLevel, byte(len(answer)))
	s.read(regControl, 0x10) // RxLastBits 0: whole bytes
	for _, b := range answer {
		s.read(regFIFOData, b)
	}
}

// crcA is ISO/IEC 14443-3 Annex B CRC_A (preset 0x6363, reflected 0x8408).
func crcA(data []byte) (lsb, msb byte) {
	crc := uint16(0x6363)
	for _, b := range data {
		b ^= byte(crc)
		b ^= b << 4
		crc = crc>>8 ^ uint16(b)<<8 ^ uint16(b)<<3 ^ uint16(b)>>4
	}
	return byte(crc), byte(crc >> 8)
}

// tap is a card with a 4-byte UID coming into the field and being
// selected: REQA → ATQA, anticollision → UID+BCC, SELECT → SAK.
func (s *script) tap(uid [4]byte, bcc byte) {
	s.waitForCard()
	s.init()
	s.write(regBitFraming, 0x07) // REQA is a short frame of 7 bits
	s.transceive(0x07, []byte{piccREQA}, []byte{0x04, 0x00})
	s.write(regBitFraming, 0x00)
	s.transceive(0x00, []byte{piccSelCL1, 0x20}, []byte{uid[0], uid[1], uid[2], uid[3], bcc})
	if bcc != uid[0]^uid[1]^uid[2]^uid[3] {
		return // the driver stops at a bad BCC
	}
	sel := []byte{piccSelCL1, 0x70, uid[0], uid[1], uid[2], uid[3], bcc}
	s.read(regDivIrq, 0x00)
	s.write(regDivIrq, 0x00)
	s.read(regFIFOLevel, 0x00)
	s.write(regFIFOLevel, 0x80)
	for _, b := range sel {
		s.write(regFIFOData, b)
	}
	s.write(regCommand, cmdCalcCRC)
	s.read(regDivIrq, 0x04) // CRCIRq
	l, m := crcA(sel)
	s.read(regCRCResultL, l)
	s.read(regCRCResultM, m)
	sak := []byte{0x08} // MIFARE Classic 1K, UID complete
	sl, sm := crcA(sak)
	s.transceive(0x00, append(sel, l, m), []byte{0x08, sl, sm})
	s.read(regStatus2, 0x01) // MFCrypto1On clear; ModemState
	s.write(regStatus2, 0x01)
}

func (s *script) powerDown() { s.write(regCommand, cmdPowerDown) }

func (s *script) port() *spitest.Playback {
	return &spitest.Playback{Playback: conntest.Playback{Ops: s.ops, DontPanic: true}}
}

func irqPin() *gpiotest.Pin {
	return &gpiotest.Pin{N: "IRQ", EdgesChan: make(chan gpio.Level, 1)}
}

func resetPin() *gpiotest.Pin { return &gpiotest.Pin{N: "RST"} }

func TestCRCAMatchesTheStandardsExample(t *testing.T) {
	// ISO/IEC 14443-3 Annex B: CRC_A of 0x00 0x00 is 0x1EA0 (sent A0 1E).
	if l, m := crcA([]byte{0, 0}); l != 0xA0 || m != 0x1E {
		t.Fatalf("crcA(00 00) = %02X %02X, want A0 1E", l, m)
	}
}

func TestMFRC522ReadsA4ByteUIDFromDatasheetTraffic(t *testing.T) {
	uid := [4]byte{0xDE, 0xAD, 0xBE, 0xEF}
	var s script
	s.open(0x92)
	s.tap(uid, uid[0]^uid[1]^uid[2]^uid[3])
	// The card is taken away: the next poll sends REQA, nobody answers,
	// the IRQ pin never falls.
	s.waitForCard()
	s.powerDown()
	port := s.port()
	irq := irqPin()
	r, err := NewMFRC522(port, resetPin(), irq)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version() != 0x92 {
		t.Errorf("version 0x%02X, want 0x92", r.Version())
	}
	r.Poll = 30 * time.Millisecond // one REQA per poll: the driver repeats it every 100 ms

	irq.EdgesChan <- gpio.Low // a card answers the background REQA
	got, err := r.ReadUID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(uid[:]) {
		t.Fatalf("UID % X, want % X (without the BCC)", got, uid)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // one poll with no card in the field, then give up
	if _, err := r.ReadUID(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("no card in the field: got %v, want the context's error", err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("close (every scripted transfer must have happened): %v", err)
	}
}

func TestMFRC522BadBCCIsAnError(t *testing.T) {
	uid := [4]byte{0x04, 0x1A, 0x2B, 0x3C}
	var s script
	s.open(0x91)
	s.tap(uid, 0x00) // a corrupted answer: BCC is not the XOR of the UID
	s.powerDown()
	irq := irqPin()
	r, err := NewMFRC522(s.port(), resetPin(), irq)
	if err != nil {
		t.Fatal(err)
	}
	irq.EdgesChan <- gpio.Low
	_, err = r.ReadUID(context.Background())
	if err == nil || !strings.Contains(err.Error(), "CRC mismatch") {
		t.Fatalf("bad BCC: got %v, want a check error", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestMFRC522NoChipOnTheBus(t *testing.T) {
	for _, v := range []byte{0x00, 0xFF} {
		var s script
		s.read(regVersion, v)
		_, err := NewMFRC522(s.port(), resetPin(), irqPin())
		if err == nil || !strings.Contains(err.Error(), "no reader answers") {
			t.Errorf("version register 0x%02X: got %v, want a clear wiring error", v, err)
		}
	}
}

// unplugAfter passes the first n transfers to a playback, then fails every
// one as a real SPI bus does when the reader's cable comes out.
type unplugAfter struct {
	*spitest.Playback
	mu sync.Mutex
	n  int
}

type unplugConn struct {
	c spi.Conn
	u *unplugAfter
}

func (u *unplugAfter) Connect(f physic.Frequency, m spi.Mode, bits int) (spi.Conn, error) {
	c, err := u.Playback.Connect(f, m, bits)
	return unplugConn{c, u}, err
}

var errUnplugged = errors.New("spi: /dev/spidev0.0: input/output error")

func (c unplugConn) Tx(w, r []byte) error {
	c.u.mu.Lock()
	defer c.u.mu.Unlock()
	if c.u.n == 0 {
		return errUnplugged
	}
	c.u.n--
	return c.c.Tx(w, r)
}
func (c unplugConn) TxPackets(p []spi.Packet) error { return c.c.TxPackets(p) }
func (c unplugConn) Duplex() conn.Duplex            { return c.c.Duplex() }
func (c unplugConn) String() string                 { return "unplugging" }

// openWithCard opens a reader on port and makes its IRQ pin fall, as it
// does when a card answers the first REQA (configuring the pin flushes
// older edges, so this comes after opening).
func openWithCard(port spi.PortCloser) (UIDReader, error) {
	irq := irqPin()
	r, err := NewMFRC522(port, resetPin(), irq)
	if err != nil {
		return nil, err
	}
	irq.EdgesChan <- gpio.Low
	return r, nil
}

func TestMFRC522UnpluggedMidTransferThenBack(t *testing.T) {
	uid := [4]byte{0x11, 0x22, 0x33, 0x44}
	bcc := uid[0] ^ uid[1] ^ uid[2] ^ uid[3]

	// First session: the cable comes out in the middle of anticollision.
	var first script
	first.open(0x92)
	first.tap(uid, bcc)
	before := len(first.ops)
	var upTo script
	upTo.open(0x92)
	upTo.waitForCard()
	upTo.init()
	upTo.write(regBitFraming, 0x07)
	upTo.transceive(0x07, []byte{piccREQA}, []byte{0x04, 0x00})
	upTo.write(regBitFraming, 0x00)
	cut := len(upTo.ops) + 5 // a few transfers into the anticollision
	if cut >= before {
		t.Fatal("script too short")
	}
	// Second session, after plugging back in: a clean tap.
	var second script
	second.open(0x92)
	second.tap(uid, bcc)

	sessions := []func() (UIDReader, error){
		func() (UIDReader, error) {
			p := &unplugAfter{Playback: first.port(), n: cut}
			return openWithCard(p)
		},
		func() (UIDReader, error) {
			return openWithCard(second.port())
		},
	}
	var mu sync.Mutex
	opened := 0
	var healthAfterUnplug Health
	svc := NewService(clock.NewFake(time.Now()), Options{Wait: func(ctx context.Context, d time.Duration) error {
		return ctx.Err() // reconnect at once
	}})
	svc.AddUIDReader("rfid", func(ctx context.Context) (UIDReader, error) {
		mu.Lock()
		if opened == 1 {
			healthAfterUnplug = svc.Health()[0]
		}
		n := opened
		opened++
		mu.Unlock()
		if n >= len(sessions) { // the second session's script has ended
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return sessions[n]()
	})
	taps, cancelSub := svc.Subscribe(4)
	defer cancelSub()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()

	select {
	case tap := <-taps:
		if tap.Kind != MifareUID || tap.Text != "11223344" {
			t.Fatalf("tap %+v, want mifare_uid 11223344", tap)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no tap after the reader came back (health %+v)", svc.Health())
	}
	mu.Lock()
	h := healthAfterUnplug
	mu.Unlock()
	if h.Connected || !strings.Contains(h.Error, "input/output error") {
		t.Errorf("health after the unplug: %+v, want disconnected with the bus error", h)
	}
	cancel()
	<-done
}
