package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Problem is an RFC 9457 application/problem+json error body.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// ResendFrom, on a gap, is the first sequence number the hub lacks.
	ResendFrom uint64 `json:"resend_from,omitempty"`
	// RetryAfter is the response's Retry-After header, if any (not in JSON).
	RetryAfter time.Duration `json:"-"`
}

// Problem types, one per sentinel error that crosses the wire.
const (
	ProblemRevoked     = "urn:officina:problem:revoked"
	ProblemUnknown     = "urn:officina:problem:unknown-device"
	ProblemBadCode     = "urn:officina:problem:bad-enrolment-code"
	ProblemReplayed    = "urn:officina:problem:replayed"
	ProblemBadSig      = "urn:officina:problem:bad-signature"
	ProblemRateLimited = "urn:officina:problem:rate-limited"
	ProblemGap         = "urn:officina:problem:gap"
	ProblemBadBatch    = "urn:officina:problem:bad-batch"
)

var problemErrors = map[string]error{
	ProblemRevoked:     ErrRevoked,
	ProblemUnknown:     ErrUnknown,
	ProblemBadCode:     ErrBadCode,
	ProblemReplayed:    ErrReplayed,
	ProblemBadSig:      ErrBadSig,
	ProblemRateLimited: ErrRateLimited,
	ProblemGap:         ErrGap,
	ProblemBadBatch:    ErrBadBatch,
}

// Error makes a Problem usable as an error; errors.Is matches the sentinel
// for its type.
func (p *Problem) Error() string {
	if p.Detail != "" {
		return fmt.Sprintf("hub: %s (%d): %s", p.Title, p.Status, p.Detail)
	}
	return fmt.Sprintf("hub: %s (%d)", p.Title, p.Status)
}

// Is matches the sentinel error of the problem's type.
func (p *Problem) Is(target error) bool {
	s, ok := problemErrors[p.Type]
	return ok && s == target
}

// WriteProblem sends p as application/problem+json.
func WriteProblem(w http.ResponseWriter, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	w.Header().Set("Content-Type", ContentTypeProblem)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// ReadProblem turns a non-2xx response into an error: a *Problem when the
// body is problem+json, otherwise a generic error with the status. It reads
// at most 64 KiB of the body.
func ReadProblem(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	p := &Problem{}
	if err := json.Unmarshal(body, p); err != nil || p.Status == 0 {
		p = &Problem{Type: "about:blank", Title: http.StatusText(resp.StatusCode), Detail: truncate(string(body), 200)}
	}
	p.Status = resp.StatusCode
	p.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return p
}

// StatusOf returns the HTTP status of a Problem error, or 0.
func StatusOf(err error) int {
	var p *Problem
	if errors.As(err, &p) {
		return p.Status
	}
	return 0
}

// ParseRetryAfter reads a Retry-After value in seconds or as an HTTP date;
// 0 when absent or unreadable.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
