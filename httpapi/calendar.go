package httpapi

import (
	"net/http"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/workday"
)

func (s *server) calendarService() (workday.Service, error) {
	if s.calendar == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "未配置工作日历 / no calendar configured")
	}
	return s.calendar, nil
}

// calendarBody is the calendar in force, or the years to load.
type calendarBody struct {
	Years []*workday.Year `json:"years"`
}

// getCalendar returns the schedules in force, each with its notice; with
// ?year=Y only that year's (404 when not loaded: weekdays only).
func (s *server) getCalendar(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.calendarService()
	if err != nil {
		return err
	}
	q, err := query(r, "year")
	if err != nil {
		return err
	}
	cal, err := svc.FindCalendar(r.Context())
	if err != nil {
		return err
	}
	ys := cal.Years()
	if v, ok := q["year"]; ok {
		y, err := strconv.Atoi(v)
		if err != nil || y < workday.MinYear || y > workday.MaxYear {
			return paramError("year", "须为 2000–2100 的年份", "must be a year from 2000 to 2100")
		}
		if !cal.Known(y) {
			return chanye.Errorf(chanye.ENOTFOUND, "%d 年放假安排未导入，按周一至周五计算 / no schedule for %d: Monday to Friday only", y, y)
		}
		for _, x := range ys {
			if x.Year == y {
				ys = []*workday.Year{x}
			}
		}
	}
	return writeJSON(w, http.StatusOK, calendarBody{Years: ys})
}

// putCalendar loads the years' schedules, each replacing its year whole.
func (s *server) putCalendar(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.calendarService()
	if err != nil {
		return err
	}
	var b calendarBody
	if err := s.decodeJSON(w, r, &b); err != nil {
		return err
	}
	if err := svc.ImportCalendar(r.Context(), b.Years); err != nil {
		return err
	}
	cal, err := svc.FindCalendar(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, calendarBody{Years: cal.Years()})
}
