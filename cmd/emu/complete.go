package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/vmemu/vmemu/machine/config"
	"github.com/vmemu/vmemu/traces"
)

// Shell completion (emu completion bash|zsh|fish|powershell) of what emu
// knows by name: presets, DRAM parts, trace kinds and formats, and the
// keys and values --set takes.

// completeWords completes a flag or argument from a fixed list; a word
// that matches none falls back to file names (a -c FILE).
func completeWords(words func() []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, w := range words() {
			if strings.HasPrefix(w, prefix) {
				out = append(out, w)
			}
		}
		if len(out) == 0 {
			return nil, cobra.ShellCompDirectiveDefault
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completePresets completes a -c flag with the presets.
func completePresets(cmd *cobra.Command, flag string) {
	cmd.RegisterFlagCompletionFunc(flag, completeWords(config.Presets))
}

// completeSetKeys completes --set: the keys of the configuration -c names
// so far (key=), then a key's choices after the '='.
func completeSetKeys(cmd *cobra.Command, flag string) {
	cmd.RegisterFlagCompletionFunc(flag, func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		spec := "default"
		if f := cmd.Flags().Lookup("config"); f != nil && f.Value.String() != "" {
			spec = f.Value.String()
		}
		cfg, err := config.Load(spec)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return setCompletions(cfg, prefix)
	})
}

// setCompletions lists what may follow prefix in --set: "key=" for each
// key it starts, or "key=value" for each value of a key with choices.
func setCompletions(cfg *config.Config, prefix string) ([]string, cobra.ShellCompDirective) {
	var out []string
	if key, val, ok := strings.Cut(prefix, "="); ok {
		for _, k := range cfg.Keys() {
			if k.Name != key {
				continue
			}
			choices := k.Choices
			if k.Unit == config.Bool {
				choices = []string{"true", "false"}
			}
			for _, c := range choices {
				if strings.HasPrefix(c, val) {
					out = append(out, key+"="+c)
				}
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	for _, k := range cfg.Keys() {
		if strings.HasPrefix(k.Name, prefix) {
			out = append(out, k.Name+"=")
		}
	}
	return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
}

// addCompletions completes the names commands take beyond -c and --set:
// trace kinds, trace formats, and presets for emu config show.
func addCompletions(root *cobra.Command) {
	kinds := func() []string { names, _ := traces.GenKinds(); return names }
	for _, c := range []struct {
		path  []string
		args  func() []string
		flags map[string]func() []string
	}{
		{[]string{"trace", "gen"}, kinds, map[string]func() []string{"format": traces.WriteFormats}},
		{[]string{"trace", "convert"}, nil, map[string]func() []string{"format": traces.WriteFormats}},
		{[]string{"record"}, nil, map[string]func() []string{"format": traces.WriteFormats}},
	} {
		cmd, _, err := root.Find(c.path)
		if err != nil || cmd == root {
			continue
		}
		if c.args != nil {
			cmd.ValidArgsFunction = completeWords(c.args)
		}
		for flag, words := range c.flags {
			cmd.RegisterFlagCompletionFunc(flag, completeWords(words))
		}
	}
}
