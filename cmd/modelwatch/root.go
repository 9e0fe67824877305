package main

import (
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "modelwatch",
		Short: "Monitor machine-learning models for drift",
		Long: `modelwatch builds reference profiles from training data, compares live data
with them (PSI, KL, Jensen-Shannon, Hellinger, KS, Wasserstein, chi-squared,
missing and unseen values), and plays the whole monitoring story locally.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	profile := &cobra.Command{Use: "profile", Short: "Build and inspect profiles"}
	profile.AddCommand(newProfileBuildCommand(), newProfileInspectCommand(), newProfilePublishCommand())
	root.AddCommand(profile, newCompareCommand(), newCalibrateCommand())
	root.AddCommand(newDemoCommand(), newImportCommand())
	return root
}

// version is the module version the binary was built from, with the commit
// when the build recorded one ("(devel)" for go run and go build in a
// checkout).
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += " (modified)"
		}
	}
	return v
}

// required marks flags as required, in the help text too.
func required(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		f := cmd.Flags().Lookup(n)
		if f == nil {
			panic("required: no flag --" + n)
		}
		f.Usage += " (required)"
		if err := cmd.MarkFlagRequired(n); err != nil {
			panic(err)
		}
	}
}
