package sweep

import (
	"errors"
	"path/filepath"
	"slices"

	"github.com/vmemu/vmemu/machine/config"
)

// BaseSpec is what config.Load takes for the sweep's base: a preset's
// name, or the configuration file's path.
func (s *Sweep) BaseSpec() string { return baseSpec(s.Dir, s.Base) }

func baseSpec(dir, base string) string {
	if slices.Contains(config.Presets(), base) || filepath.IsAbs(base) {
		return base
	}
	return filepath.Join(dir, base)
}

// TracePath is where a trace of the sweep is on this machine.
func (s *Sweep) TracePath(trace string) string { return tracePath(s.Dir, trace) }

func tracePath(dir, trace string) string {
	if filepath.IsAbs(trace) {
		return trace
	}
	return filepath.Join(dir, trace)
}

// check applies every parameter value to the base configuration, so an
// unknown key or a value out of range is found before anything runs.
func (r *reader) check(s *Sweep) error {
	if _, err := config.Load(s.BaseSpec()); err != nil {
		return r.configError(err, r.baseLine, "base")
	}
	for i, p := range s.Params {
		if p.Key == "seed" && len(s.Seeds) > 0 {
			return &Error{File: r.file, Line: r.lines[i][0], Field: "seed", Msg: "swept both here and by seeds; keep one"}
		}
		for j, v := range p.Values {
			if err := r.checkValue(s, p.Key, v); err != nil {
				return r.configError(err, r.lines[i][j], p.Key)
			}
		}
	}
	return nil
}

// checkValue sets key=value on the base, after the first value of a swept
// levels key (which decides what level keys exist).
func (r *reader) checkValue(s *Sweep, key, value string) error {
	cfg, err := config.Load(s.BaseSpec())
	if err != nil {
		return err
	}
	for _, p := range s.Params {
		if p.Key == "levels" && key != "levels" {
			if err := cfg.Set("levels", p.Values[0]); err != nil {
				return err
			}
		}
	}
	return cfg.Set(key, value)
}

// configError places a configuration's complaint at the sweep file's line.
func (r *reader) configError(err error, line int, field string) error {
	var me *config.Error
	if errors.As(err, &me) {
		msg := me.Msg
		if me.Key != "" && me.Key != field {
			msg = me.Key + ": " + msg
		}
		if me.Key != "" && field == "base" {
			msg = me.Where + ": " + msg
		}
		return &Error{File: r.file, Line: line, Field: field, Msg: msg}
	}
	return &Error{File: r.file, Line: line, Field: field, Msg: err.Error()}
}
