package main

import (
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
	}
	profile := &cobra.Command{Use: "profile", Short: "Build and inspect profiles"}
	profile.AddCommand(newProfileBuildCommand(), newProfilePublishCommand())
	root.AddCommand(profile, newCompareCommand(), newCalibrateCommand())
	root.AddCommand(newDemoCommand(), newImportCommand())
	return root
}
