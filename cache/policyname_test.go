package cache

// setPolicy sets the replacement policy by name (the benchmarks run on
// trees before and after replacement policies became names).
func setPolicy(c *Config, name string) { c.Replacement = name }
