// Package reference publishes and loads the active reference profile of each
// model in the bucket: reference/{model}/{version}/profile.json holds a
// version's profile, and reference/{model}/current.json points at the active
// version.
package reference
