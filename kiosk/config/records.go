package config

// Records configures facilitation records and the monitoring export.
type Records struct{}

func defaultRecords() Records { return Records{} }

func (x Records) validate() []error { return nil }
