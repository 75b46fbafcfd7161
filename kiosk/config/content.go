package config

// Content configures the course and guide catalogue.
type Content struct{}

func defaultContent() Content { return Content{} }

func (x Content) validate() []error { return nil }
