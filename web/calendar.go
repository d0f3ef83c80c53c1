package web

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/chanye-org/chanye"
	"github.com/chanye-org/chanye/authz"
	"github.com/chanye-org/chanye/workday"
)

// The working-day calendar (/calendar): every year's holidays and 调休
// weekend days worked with the notice they come from, open to all since
// every deadline is counted on it; administrators load the next year's
// schedule here when the State Council publishes it.

type calendarView struct {
	page
	Years     []calendarYear
	Next      int  // the first year without a schedule
	MayImport bool // the upload form
	Done      string
	Message   string
	Errs      map[string]string
}

type calendarYear struct {
	Year      int
	Source    string
	Off, Work int
	Days      []calendarDay
}

type calendarDay struct {
	Date, Weekday, Name string
	Work                bool
}

func (s *Server) calendarService() (workday.Service, error) {
	if s.cfg.Calendar == nil {
		return nil, chanye.Errorf(chanye.ENOTFOUND, "页面不存在 / page not found")
	}
	return s.cfg.Calendar, nil
}

func (s *Server) calendarView(r *http.Request) (*calendarView, error) {
	svc, err := s.calendarService()
	if err != nil {
		return nil, err
	}
	cal, err := svc.FindCalendar(r.Context())
	if err != nil {
		return nil, err
	}
	v := &calendarView{page: s.newPage(r, "calendar")}
	l := v.L
	v.Title = l.T("cal.title")
	v.MayImport = v.Actor != nil && authz.CalendarRules().Grant(v.Actor.Role, authz.ImportCalendar) == authz.Allow
	weekdays := []string{"日", "一", "二", "三", "四", "五", "六"}
	for _, y := range cal.Years() {
		row := calendarYear{Year: y.Year, Source: y.Source}
		for _, d := range y.Days {
			wd := l.Pick("周"+weekdays[d.Date.Weekday()], d.Date.Weekday().String()[:3])
			row.Days = append(row.Days, calendarDay{Date: d.Date.String(), Weekday: wd, Name: d.Name, Work: d.Kind == workday.Work})
			if d.Kind == workday.Work {
				row.Work++
			} else {
				row.Off++
			}
		}
		v.Years = append(v.Years, row)
	}
	v.Next = chanye.DateOf(s.now()).Year()
	for cal.Known(v.Next) {
		v.Next++
	}
	return v, nil
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.calendarView(r)
	if err != nil {
		return err
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("loaded")); err == nil && n > 0 {
		v.Done = v.L.Tf("cal.loaded", n)
	}
	return s.render(w, "calendar", v)
}

// importCalendar loads the uploaded schedule file, each year whole; a
// refused file is shown with every problem and changes nothing.
func (s *Server) importCalendar(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.calendarService()
	if err != nil {
		return err
	}
	if err := refuse(chanye.ActorFrom(r.Context()), authz.CalendarRules(), authz.ImportCalendar); err != nil {
		return err
	}
	up, err := readUpload(w, r, "file")
	if err != nil {
		return err
	}
	if len(up.Data) == 0 {
		err = chanye.Invalid("放假安排文件有误 / invalid holiday schedule", map[string]string{"file": "请选择 CSV 文件 / choose a CSV file"})
	} else {
		var years []*workday.Year
		if years, err = workday.Read(bytes.NewReader(up.Data)); err == nil {
			err = svc.ImportCalendar(r.Context(), years)
		}
		if err == nil {
			http.Redirect(w, r, "/calendar?loaded="+strconv.Itoa(len(years)), http.StatusSeeOther)
			return nil
		}
	}
	if chanye.ErrorCode(err) != chanye.EINVALID {
		return err
	}
	v, verr := s.calendarView(r)
	if verr != nil {
		return verr
	}
	v.Message, v.Errs = errText(r, err), errFields(r, err)
	return s.renderStatus(w, http.StatusBadRequest, "calendar", v)
}
