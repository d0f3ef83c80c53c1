package web

// notifyMessages are the labels of the inbox (inbox.go), the header's
// 通知 link and the accounts' e-mail address.
var notifyMessages = map[string][2]string{
	"nav.inbox":          {"通知", "Notifications"},
	"nav.inbox.unread":   {"%d 条未读", "%d unread"},
	"inbox.title":        {"通知", "Notifications"},
	"inbox.intro":        {"与您的账号有关的事项：异议答复、申报退回、拨付、项目转红、督办、供需对接等。打开一条即标为已读。", "What concerns your account: objections answered, applications returned, payments, projects turned red, supervision, matchmaking and more. Opening one marks it read."},
	"inbox.total":        {"共 %d 条，未读 %d 条 · 第 %d / %d 页", "%d in all, %d unread · page %d of %d"},
	"inbox.all":          {"全部", "All"},
	"inbox.only":         {"只看未读", "Unread only"},
	"inbox.markall":      {"全部标为已读", "Mark all read"},
	"inbox.markone":      {"标为已读", "Mark read"},
	"inbox.marked":       {"已标为已读。", "Marked read."},
	"inbox.none":         {"没有通知。", "No notifications."},
	"inbox.unread":       {"未读", "Unread"},
	"inbox.mail":         {"邮件通知", "E-mail"},
	"inbox.mail.counts":  {"待发 %d · 已发 %d · 失败 %d", "%d pending · %d sent · %d failed"},
	"inbox.mail.note":    {"每封邮件至多尝试 5 次；失败的不再重试，请核对收件地址或 SMTP 设置。", "Each e-mail is tried at most 5 times; failed ones are not retried again: check the address or the SMTP settings."},
	"inbox.mail.failed":  {"发送失败的邮件", "Failed e-mails"},
	"inbox.mail.more":    {"另有 %d 封失败的邮件未列出。", "%d more failed e-mails not listed."},
	"inbox.mail.to":      {"收件人", "To"},
	"inbox.mail.tries":   {"次数", "Tries"},
	"inbox.mail.error":   {"错误", "Error"},
	"inbox.mail.at":      {"最后尝试", "Last try"},
	"inbox.mail.subject": {"通知", "Notification"},
	"acct.email":         {"通知邮箱", "E-mail for notifications"},
	"acct.email.note":    {"填写后，服务器配置了 SMTP 时，通知同时发送到此邮箱；留空则只在站内通知。", "When the server has SMTP set up, notifications are also e-mailed here; leave it empty for in-app notifications only."},
	"acct.email.save":    {"保存邮箱", "Save address"},
	"acct.email.done":    {"通知邮箱已保存。", "E-mail address saved."},
	"users.email":        {"邮箱", "E-mail"},
	"users.email.save":   {"改邮箱", "Set e-mail"},
}

func init() { addMessages(notifyMessages) }
