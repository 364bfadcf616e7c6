package urlpath

import "testing"

func TestSlugify(t *testing.T) {
	tests := map[string]string{
		"Förskola & skola":          "forskola-skola",
		"Avfall och återvinning":    "avfall-och-atervinning",
		"Ärende nr 12/2026":         "arende-nr-12-2026",
		"Café Öster":                "cafe-oster",
		"  --Hej--  ":               "hej",
		"Snöröjning!!!":             "snorojning",
		"Sámi giella":               "sami-giella",
		"Fo\u0308rskola":            "forskola", // decomposed ö, as saved on a Mac
		"bygglov.md":                "bygglov-md",
		"???":                       "",
		"Kommunfullmäktige 2026–27": "kommunfullmaktige-2026-27",
	}
	for in, want := range tests {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckInside(t *testing.T) {
	good := []string{"/tjanster/", "bygglov", "/a/b.html", "gammal-sida"}
	bad := []string{"../x", "/a/../../b", "a\x00b", `a\b`, "https://evil.example/", "//evil.example/x"}
	for _, p := range good {
		if err := CheckInside(p); err != nil {
			t.Errorf("CheckInside(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range bad {
		if err := CheckInside(p); err == nil {
			t.Errorf("CheckInside(%q) = nil, want error", p)
		}
	}
}

func TestCleanAndOutputFile(t *testing.T) {
	tests := []struct{ in, clean, file string }{
		{"a/b", "/a/b/", "a/b/index.html"},
		{"/", "/", "index.html"},
		{"/feed.xml", "/feed.xml", "feed.xml"},
		{"//a//b/", "/a/b/", "a/b/index.html"},
	}
	for _, tc := range tests {
		c := Clean(tc.in)
		if c != tc.clean {
			t.Errorf("Clean(%q) = %q, want %q", tc.in, c, tc.clean)
		}
		if f := OutputFile(c); f != tc.file {
			t.Errorf("OutputFile(%q) = %q, want %q", c, f, tc.file)
		}
	}
}
