package course

import "strings"

// digcomp lists the 21 competences of DigComp 2.2 by code, with their
// English names.
var digcomp = map[string]string{
	"1.1": "Browsing, searching and filtering data, information and digital content",
	"1.2": "Evaluating data, information and digital content",
	"1.3": "Managing data, information and digital content",
	"2.1": "Interacting through digital technologies",
	"2.2": "Sharing through digital technologies",
	"2.3": "Engaging in citizenship through digital technologies",
	"2.4": "Collaborating through digital technologies",
	"2.5": "Netiquette",
	"2.6": "Managing digital identity",
	"3.1": "Developing digital content",
	"3.2": "Integrating and re-elaborating digital content",
	"3.3": "Copyright and licences",
	"3.4": "Programming",
	"4.1": "Protecting devices",
	"4.2": "Protecting personal data and privacy",
	"4.3": "Protecting health and well-being",
	"4.4": "Protecting the environment",
	"5.1": "Solving technical problems",
	"5.2": "Identifying needs and technological responses",
	"5.3": "Creatively using digital technologies",
	"5.4": "Identifying digital competence gaps",
}

// DigCompName returns the English name of a DigComp 2.2 competence code
// such as "2.6", and whether the code exists.
func DigCompName(code string) (string, bool) {
	n, ok := digcomp[code]
	return n, ok
}

// DigCompArea returns the area (1–5) of a competence code, or 0.
func DigCompArea(code string) int {
	if _, ok := digcomp[code]; !ok {
		return 0
	}
	return int(code[0] - '0')
}

// SE4 returns the Facilita level-1 competence area (A–E) that a SE5
// competence (1–13) belongs to, or "" for a code out of range.
func SE4(se5 int) string {
	switch {
	case se5 >= 1 && se5 <= 3:
		return "A"
	case se5 >= 4 && se5 <= 9:
		return "B"
	case se5 == 10:
		return "C"
	case se5 == 11 || se5 == 12:
		return "D"
	case se5 == 13:
		return "E"
	}
	return ""
}

// validSE6 reports whether s is a Facilita public-service domain code
// (a single letter A–S).
func validSE6(s string) bool {
	return len(s) == 1 && strings.Contains("ABCDEFGHIJKLMNOPQRS", s)
}
