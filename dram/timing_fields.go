package dram

// timingField ties a JEDEC timing name to its Timing field, so a config
// layer can set "tRCD" without a switch of its own.
type timingField struct {
	name  string
	field func(*Timing) *int
}

var timingFields = []timingField{
	{"CL", func(t *Timing) *int { return &t.CL }},
	{"CWL", func(t *Timing) *int { return &t.CWL }},
	{"tRCD", func(t *Timing) *int { return &t.RCD }},
	{"tRP", func(t *Timing) *int { return &t.RP }},
	{"tRAS", func(t *Timing) *int { return &t.RAS }},
	{"tRC", func(t *Timing) *int { return &t.RC }},
	{"tCCD_S", func(t *Timing) *int { return &t.CCDS }},
	{"tCCD_L", func(t *Timing) *int { return &t.CCDL }},
	{"tRRD_S", func(t *Timing) *int { return &t.RRDS }},
	{"tRRD_L", func(t *Timing) *int { return &t.RRDL }},
	{"tFAW", func(t *Timing) *int { return &t.FAW }},
	{"tWR", func(t *Timing) *int { return &t.WR }},
	{"tWTR_S", func(t *Timing) *int { return &t.WTRS }},
	{"tWTR_L", func(t *Timing) *int { return &t.WTRL }},
	{"tRTP", func(t *Timing) *int { return &t.RTP }},
	{"tRTRS", func(t *Timing) *int { return &t.RTRS }},
	{"tRFC", func(t *Timing) *int { return &t.RFC }},
	{"tRFCsb", func(t *Timing) *int { return &t.RFCsb }},
	{"tREFI", func(t *Timing) *int { return &t.REFI }},
}

// TimingNames lists the JEDEC names Timing.Field accepts, in a fixed order.
func TimingNames() []string {
	out := make([]string, len(timingFields))
	for i, f := range timingFields {
		out[i] = f.name
	}
	return out
}

// Field returns the timing called name ("tRCD", "CL", "tCCD_L", ...), in DRAM
// cycles, for reading or setting; nil if there is no such timing.
func (t *Timing) Field(name string) *int {
	for _, f := range timingFields {
		if f.name == name {
			return f.field(t)
		}
	}
	return nil
}
