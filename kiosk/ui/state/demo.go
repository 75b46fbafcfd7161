package state

import (
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
)

// Demo cards for `officina run --demo` and the tests.
const (
	DemoStaffCard = "STAFF-0001"
	DemoStaffPIN  = "246810"
	// DemoVolunteerCard is a Servizio Civile Digitale volunteer's card.
	DemoVolunteerCard = "STAFF-0002"
	DemoCitizenCard   = "BIB-000042"
	DemoHealthCF      = "RSSMRA80A01D969Z"
)

// DemoDeps returns fakes filled with a small sample catalogue, a staff
// member and simulated sensors, for demo mode and tests.
func DemoDeps(clk clock.Clock) Deps {
	cat := DemoCatalog()
	return Deps{
		Catalog:  cat,
		Progress: &FakeProgress{Catalog: cat, Clock: clk},
		Queue:    &FakeQueue{Clock: clk},
		Staff: &FakeStaff{Members: map[string]FakeMember{
			DemoStaffCard:     {Member: Member{ID: "fac-1", Name: "Giulia Ferrari", Role: "facilitator"}, PIN: DemoStaffPIN},
			DemoVolunteerCard: {Member: Member{ID: "vol-1", Name: "Luca Bruno", Role: "volunteer"}, PIN: DemoStaffPIN},
		}},
		Services: &FakeServices{},
		Sessions: &FakeSessions{Clock: clk},
		Loans: &FakeLoans{List: []Loan{
			{Device: "Tablet 1", Borrower: "…0042", Due: clk.Now().Add(-24 * time.Hour)},
			{Device: "Tablet 3", Borrower: "…0117", Due: clk.Now().Add(72 * time.Hour)},
		}},
		Printer: &FakePrinter{},
		Sensors: &FakeSensors{Clock: clk},
		Sync: &FakeSync{State: SyncState{HubConfigured: false, Backlog: 12, StorageFree: 3 << 30, Version: "dev",
			Devices: []DeviceState{{Name: "card reader", OK: true, Detail: "simulated"}, {Name: "printer", OK: true, Detail: "file"}, {Name: "air sensor", OK: true, Detail: "simulated"}}}},
		Clock:       clk,
		Lang:        "it",
		IdleTimeout: 120 * time.Second,
		IdleWarning: 30 * time.Second,
	}
}

// DemoCatalog is the sample catalogue: one course translated into English,
// one only in Italian, and three guides.
func DemoCatalog() *FakeCatalog {
	return &FakeCatalog{
		CourseList: []FakeCourse{
			{
				ID: "primo-spid", Level: 1, Topics: []string{"SPID", "identità digitale"},
				Title:   map[string]string{"it": "Il tuo primo SPID", "en": "Your first SPID"},
				Summary: map[string]string{"it": "Che cos'è SPID, cosa serve per attivarlo e come usarlo.", "en": "What SPID is, what you need to get it and how to use it."},
				Lessons: []FakeLesson{
					{
						Title: map[string]string{"it": "Che cos'è SPID", "en": "What SPID is"},
						Body: map[string]string{
							"it": "SPID è il **Sistema Pubblico di Identità Digitale**. Con un nome utente e una password entri nei siti della pubblica amministrazione: INPS, Agenzia delle Entrate, il tuo Comune.\n\nÈ come una carta d'identità, ma per internet.",
							"en": "SPID is Italy's **Public Digital Identity System**. With one username and password you sign in to public administration websites: INPS, the Revenue Agency, your Comune.\n\nIt is like an identity card, but for the internet.",
						},
					},
					{
						Title: map[string]string{"it": "Cosa ti serve", "en": "What you need"},
						Body: map[string]string{
							"it": "- un documento d'identità valido\n- la tessera sanitaria\n- un indirizzo e-mail tuo\n- un numero di cellulare tuo",
							"en": "- a valid identity document\n- your health card\n- an e-mail address of your own\n- a mobile number of your own",
						},
					},
					{
						Title: map[string]string{"it": "Come riconoscersi", "en": "Proving who you are"},
						Body: map[string]string{
							"it": "Scegli un gestore (per esempio Poste Italiane). Poi ti riconosci: di persona allo sportello, in video, oppure con la CIE o la CNS.",
							"en": "Choose a provider (for example Poste Italiane). Then prove who you are: in person at a counter, by video, or with your CIE or CNS card.",
						},
					},
				},
				Quiz: map[string][]Question{
					"it": {
						{Text: "A cosa serve SPID?", Choices: []string{"A entrare nei siti pubblici", "A pagare al supermercato", "A guardare la TV"}, Correct: 0},
						{Text: "Cosa serve per attivarlo?", Choices: []string{"Solo il nome", "Un documento, la tessera sanitaria, e-mail e cellulare"}, Correct: 1},
					},
					"en": {
						{Text: "What is SPID for?", Choices: []string{"Signing in to public websites", "Paying at the supermarket", "Watching TV"}, Correct: 0},
						{Text: "What do you need to get it?", Choices: []string{"Just your name", "An ID document, health card, e-mail and mobile"}, Correct: 1},
					},
				},
			},
			{
				ID: "app-io", Level: 2, Topics: []string{"App IO", "pagoPA"},
				Title:   map[string]string{"it": "App IO passo per passo"},
				Summary: map[string]string{"it": "Primo accesso, codice di sblocco, messaggi e pagamenti."},
				Lessons: []FakeLesson{
					{Title: map[string]string{"it": "Il primo accesso"}, Body: map[string]string{"it": "Scarica App IO ed entra con SPID o con la CIE. Poi scegli un codice di sblocco di 6 cifre."}},
					{Title: map[string]string{"it": "Pagare un avviso"}, Body: map[string]string{"it": "Tocca **Paga**, inquadra il codice QR dell'avviso pagoPA e conferma l'importo."}},
				},
			},
			{
				ID: "password", Level: 3, Topics: []string{"sicurezza"},
				Title:   map[string]string{"it": "Password sicure", "en": "Safe passwords"},
				Summary: map[string]string{"it": "Come scegliere una password e riconoscere un messaggio truffa.", "en": "How to choose a password and spot a scam message."},
				Lessons: []FakeLesson{
					{Title: map[string]string{"it": "Una frase, non una parola", "en": "A sentence, not a word"}, Body: map[string]string{"it": "Una buona password è lunga: usa tre o quattro parole che ricordi facilmente.", "en": "A good password is long: use three or four words you remember easily."}},
				},
			},
		},
		GuideList: []FakeGuide{
			{
				ID: "spid", Domain: "S",
				Title: map[string]string{"it": "Attivare SPID", "en": "Getting SPID"},
				Intro: map[string]string{"it": "Ci vogliono circa 20 minuti.", "en": "It takes about 20 minutes."},
				Steps: map[string][]string{
					"it": {"Scegli un gestore di identità.", "Registrati sul suo sito con e-mail e cellulare.", "Riconosciti di persona, in video o con CIE."},
					"en": {"Choose an identity provider.", "Register on its website with e-mail and mobile.", "Prove who you are in person, by video or with your CIE."},
				},
				Checklist: map[string][]string{
					"it": {"Documento d'identità", "Tessera sanitaria", "E-mail", "Cellulare"},
					"en": {"Identity document", "Health card", "E-mail", "Mobile phone"},
				},
			},
			{
				ID: "cie-pin", Domain: "S",
				Title: map[string]string{"it": "PIN e PUK della CIE", "en": "Your CIE PIN and PUK"},
				Intro: map[string]string{"it": "PIN e PUK hanno 8 cifre ciascuno.", "en": "The PIN and the PUK have 8 digits each."},
				Steps: map[string][]string{
					"it": {"Le prime 4 cifre sono sulla ricevuta del Comune.", "Le ultime 4 sono nella lettera con la carta.", "Dopo 3 PIN sbagliati, sblocca con il PUK nell'app CieID."},
					"en": {"The first 4 digits are on the receipt from the Comune.", "The last 4 are in the letter that came with the card.", "After 3 wrong PINs, unlock with the PUK in the CieID app."},
				},
				Checklist: map[string][]string{"it": {"Ricevuta del Comune", "Lettera con la carta"}, "en": {"Receipt from the Comune", "Letter that came with the card"}},
			},
			{
				ID: "app-io", Domain: "A",
				Title:     map[string]string{"it": "Usare App IO"},
				Intro:     map[string]string{"it": "App IO riunisce i servizi pubblici nel telefono."},
				Steps:     map[string][]string{"it": {"Scarica App IO.", "Entra con SPID o CIE.", "Scegli il codice di sblocco."}},
				Checklist: map[string][]string{"it": {"Telefono", "SPID o CIE"}},
			},
		},
	}
}
