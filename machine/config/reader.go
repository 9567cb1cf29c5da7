package config

// Reader reads a configuration's values by unit, for assembly. Every value
// was checked when it was set, so a failure here is a bug rather than bad
// input: the first is kept in Err (naming where the value came from), and
// the value read is zero.
type Reader struct {
	Config *Config
	Err    error
}

// Reader returns a reader of c's values.
func (c *Config) Reader() *Reader { return &Reader{Config: c} }

func (r *Reader) note(key string, err error) {
	if err != nil && r.Err == nil {
		r.Err = &Error{Where: r.Config.Origin(key), Key: key, Msg: err.Error()}
	}
}

// Str returns a key's value as written.
func (r *Reader) Str(key string) string { return r.Config.Get(key) }

// Bytes reads a size.
func (r *Reader) Bytes(key string) uint64 {
	n, _, err := ParseBytes(r.Config.Get(key))
	r.note(key, err)
	return n
}

// Count reads a whole number (cycles too).
func (r *Reader) Count(key string) uint64 {
	n, err := ParseCount(r.Config.Get(key))
	r.note(key, err)
	return n
}

// Hertz reads a frequency.
func (r *Reader) Hertz(key string) uint64 {
	n, err := ParseHertz(r.Config.Get(key))
	r.note(key, err)
	return n
}

// Bool reads true or false.
func (r *Reader) Bool(key string) bool {
	b, err := ParseBool(r.Config.Get(key))
	r.note(key, err)
	return b
}
