//go:build race

package build

func init() { raceEnabled = true }
