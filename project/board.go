package project

// Board is a selection of projects read at once, with the rules evaluated
// once: what the warning board, the meeting report and the scorecards
// show. Projects are ordered by ID, each with its colour as of the day the
// read names; Warnings are ordered by project and rule (as FindWarnings
// gives them); Nodes holds every selected project's nodes in order (as
// FindNodes gives them), an empty list for a project without nodes.
type Board struct {
	Projects []*Project
	Warnings []Warning
	Nodes    map[string][]*Node
}
