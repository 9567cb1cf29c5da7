package sim

import (
	"fmt"
	"reflect"
)

// Unregistered returns the paths of the uint64 fields of *counters (a
// component's struct of counters, walked through nested structs, arrays
// and slices) that s holds no pointer to: the check, in a component's
// tests, that it registered every counter it keeps.
func (s *Stats) Unregistered(counters any) []string {
	held := map[uintptr]bool{}
	for _, e := range s.entries {
		if e.p != nil {
			held[reflect.ValueOf(e.p).Pointer()] = true
		}
		for i := range e.bins {
			held[reflect.ValueOf(&e.bins[i]).Pointer()] = true
		}
	}
	v := reflect.ValueOf(counters)
	if v.Kind() != reflect.Pointer {
		panic(fmt.Sprintf("sim: Unregistered wants a pointer, not %T", counters))
	}
	var out []string
	walkCounters(v.Elem(), v.Elem().Type().Name(), func(path string, addr uintptr) {
		if !held[addr] {
			out = append(out, path)
		}
	})
	return out
}

func walkCounters(v reflect.Value, path string, see func(string, uintptr)) {
	switch v.Kind() {
	case reflect.Uint64:
		see(path, v.Addr().Pointer())
	case reflect.Struct:
		for i := range v.NumField() {
			walkCounters(v.Field(i), path+"."+v.Type().Field(i).Name, see)
		}
	case reflect.Array, reflect.Slice:
		for i := range v.Len() {
			walkCounters(v.Index(i), fmt.Sprintf("%s[%d]", path, i), see)
		}
	}
}
