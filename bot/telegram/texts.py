"""What the Telegram bot says outside the interview itself."""

from __future__ import annotations

WELCOME = (
    "您好！我是对照检查材料写作助手。\n"
    "我会按年度主题逐条问您：做得好的方面、存在的问题、具体实例，再问原因和整改措施。\n"
    "每答一题都自动保存，随时可以离开，回来发 /resume 接着写；答完生成规范格式的 Word 文档。"
)
DEADLINE_TIP = "可以发 /deadline 12月20日 告诉我会议或提交的日期，我会提前提醒您。"
NO_DEADLINE = "还没有设置会议或提交日期。"
DEADLINE_USAGE = "设置：/deadline 12月20日（或 2026-12-20）；取消：/deadline 取消"
DEADLINE_SET = "已设置。"
DEADLINE_CLEARED = "已取消截止日期。"
DEADLINE_BAD = "“{text}”不是日期。请写成 12月20日 或 2026-12-20。"
DEADLINE_NO_SUCH_DATE = "日历上没有“{text}”这一天，请检查后再发，例如 12月20日 或 2026-12-20。"
DEADLINE_NOT_SOON = "今年和明年都没有“{text}”（2月29日只在闰年有），请写一个还没到的日期。"
DEADLINE_PASSED_BAD = "“{text}”已经过去了，请写一个还没到的日期。"
DAYS_LEFT = "截止日期 {date}，还有 {days} 天。"
DEADLINE_PASSED = "截止日期 {date} 已经过了。"
REMIND_ON = "已开启提醒：材料没写完时，我会在您停下两天后、截止前3天和前1天提醒您（晚上10点到早上8点不打扰）。"
REMIND_OFF = "已关闭提醒。想再开启，发 /remind on。"
REMIND_STATUS = "提醒目前是{state}的。/remind on 开启，/remind off 关闭。"
REMINDER = "您的《{title}》还没写完：已完成 {done}/{parts} 部分，共 {chars} 字。点“继续”接着写。"
CONTINUE = "继续"
LAST_YEAR_PROBLEMS = "去年查摆的问题（仅供对照，今年的问题要写新的情况，不要照抄）："
PASTE_START = "请把去年的对照检查材料全文粘贴发送，可以分几条发；发完点“解析”。也可以直接发送去年的 Word（.docx）或文本（.txt）文件。"
PASTE_RECEIVED = "已收到 {chars} 个字符。贴完了就点“解析”。"
PASTE_TOO_LONG = (
    "这一条没有收下：加上它就超过 10 万字符了，对照检查材料一般只有几千字。"
    "已收到的 {chars} 个字符还在，可以点“解析”，或者点“取消”后只粘贴正文。"
)
PASTE_PARSE = "解析"
PASTE_LEFT = "已退出粘贴去年材料，没有导入任何内容。"
PASTE_LEFT_WITH_TEXT = (
    "已退出粘贴去年材料，收到的 {chars} 个字符没有导入。"
    "如果那是对当前问题的回答，点“作为本题的回答”；不需要就点“取消”。"
)
PASTE_NOT_A_REPORT = (
    "{reason}\n粘贴的 {chars} 个字符没有导入，也还没有当作回答。"
    "如果那是对当前问题的回答，点“作为本题的回答”；否则点“取消”，或发送去年材料的文件。"
)
PASTE_AS_ANSWER = "作为本题的回答"
IMPORT_FOUND = "从去年的材料里{summary}\n整改措施："
IMPORT_CONFIRM = "确认后，这些措施会成为“上年度整改落实情况”的清单，我会逐条问您落实得怎样；去年的问题会在写今年问题时供您对照。"
IMPORT_KEEPS = "清单里已有的 {n} 条措施（连同您写的落实情况）保持不变；"
IMPORT_ADDS = "将新增 {n} 条措施。"
IMPORT_ADDS_NONE = "去年的措施都已在清单里，不会重复添加。"
IMPORT_OVER = "清单最多只能放这么多条，另有 {n} 条没有加入。"
IMPORT_YES = "确认导入"
IMPORT_NO = "取消"
IMPORT_CANCELLED = "已取消，没有导入任何内容。"
IMPORT_TOO_BIG = "文件超过 2 MB，没有读取。请发送去年材料的 Word（.docx）或文本（.txt）文件，或用 /lastyear 粘贴全文。"
IMPORT_WRONG_KIND = "我只能读取 Word（.docx）或文本（.txt）文件。.doc 或 PDF 请先另存为 .docx，或用 /lastyear 粘贴全文。"
CHOOSE_FLOW = "请选择要写的材料："
NO_INTERVIEW = "您还没有正在写的材料。请选择要写的材料："
PRIVATE_BOT = "抱歉，这是一个内部使用的机器人，您暂时没有使用权限。"
PRIVATE_CHAT_ONLY = "请在与我的私聊中使用，群里不记录任何内容。"
NOT_TEXT = "我只能读文字。请用文字回答（语音可以先转成文字再发送）。"
EDITED = "修改已发送的消息不会改变答案。要修改某一题，请发 /edit。"
NO_GUIDE = "这一部分没有补充说明。"
STALE = "这个按钮已经过期，下面是当前的问题。"
STALE_NOTHING = "这个按钮已经过期。请选择要写的材料："
STALE_FINISHED = "这个按钮已经过期。"
ALREADY_FINISHED = "《{title}》已经完成。发 /report 再次获取报告，发 /edit 修改，发 /new 新写一份。"
NOT_SAVED = "抱歉，数据库暂时无法写入，刚才这一条没有保存。请稍后再发一次。"
UNKNOWN_COMMAND = "没有这个命令。发 /help 查看可用的命令。"
NO_ARGS = "/{name} 后面不需要加内容，已按 /{name} 处理。"
STARTED = "已开始：{title}"
RESUMED = "继续写：{title}"
LIST_HEADER = "您的材料（点按钮切换到该材料）："
LIST_MORE = "\n（只列出最近用过的 20 份，另有 {n} 份较早的材料没有列出。）"
LIST_EMPTY = "您还没有材料。"
DELETE_PICK = "要删除哪一份材料？删除后无法恢复。"
DELETE_CONFIRM = "确定删除“{title}”（#{id}）吗？所有答案和记录都会被彻底删除，无法恢复。"
DELETE_YES = "确定删除"
DELETE_NO = "不删了"
DELETED = "已删除。"
DELETE_KEPT = "好的，没有删除。"
NOTHING_TO_EDIT = "还没有可以修改的题目。"
EDIT_PICK = "要修改哪一题？"
MORE_FIXES = "按审阅意见修改："
PREVIEW_HEADER = "草稿预览（共 {zishu} 字）："
REPORT_NOT_READY = "还没有答完，答完并点“生成报告”后才能生成正式报告。可以先发 /preview 预览草稿。"
REPORT_HEADER = "报告全文（共 {zishu} 字）："
REPORT_FILES = "Word 文档和 Markdown 文件如下，Word 文档已按公文格式排版，可直接打印。"
EXPORT_CAPTION = "全部答案（YAML 格式），可以留作备份，或在电脑上用 duizhao import 导入。"
CANCELLED_NOTHING = "现在没有需要取消的操作。"
SET_ASIDE = (
    "抱歉，您之前发的一条消息我两次都没能处理完，已经跳过，不会再处理。"
    "如果是文件，请换成较小的 .docx 或直接粘贴文字；其他内容请重新发送。"
)
SET_ASIDE_SAVED = (
    "抱歉，刚才处理您的一条消息时两次中断了。那条消息的内容已经保存，不用重发；"
    "发 /resume 可以接着写，材料已经写完的，发 /report 获取报告。"
)
WORKING = "正在生成，请稍候……"
ERROR = (
    "抱歉，处理刚才这条消息时出了问题，它可能没有生效。之前确认保存过的答案都还在。"
    "请发 /resume 看看现在的进度，需要的话再发一次。"
)

HELP = """使用说明
• 按提示逐题回答，每题一条消息发出即可；想接着写刚才的回答，点“补充”。
• 一个问题可以一条消息写完：先一句话概括，再写具体表现，最后“比如……”写实例，我会自动拆开；几条一起发（一是……二是……、1. 2.）会存成几条。拆得不对，点“不拆分”。
• 参考表述里的“××”，我会逐处问您填什么，不用复制粘贴。
• 每答一题都自动保存，随时可以离开，回来发 /resume 接着写。
• 选填的题可以点“跳过”；点“上一步”回到上一题。

命令
/start 开始或继续
/new 新建一份材料
/resume 继续写当前材料
/list 我的全部材料（可切换）
/back 回到上一题
/skip 跳过本题（选填题）
/edit 修改已答的题，改完回到原处
/status 查看各部分进度
/preview 预览目前的草稿
/report 生成报告（Word 文档）
/export 导出全部答案
/delete 删除一份材料
/cancel 取消正在进行的修改
/deadline 设置会议或提交日期（如 /deadline 12月20日）
/lastyear 导入去年的材料（粘贴全文；也可以直接发送 .docx 或 .txt 文件）
/remind 开启或关闭提醒（/remind on、/remind off）
/web 在电脑浏览器里打开整篇材料（/web off 收回链接；需管理员开启网页版）
/meeting 班子会议：组织者新建会议、发邀请链接，成员写完提交给组织者（/meeting new、/meeting status）
/help 本说明"""
WEB_LINK = (
    "在电脑浏览器里打开下面的链接，就能看到整篇材料并直接修改（24 小时内有效，只能打开您自己的材料）：\n"
    "{link}\n\n"
    "链接相当于钥匙，请不要转发给别人。再发一次 /web 会换一个新链接，旧的随即失效；"
    "发送 /web off 立即收回。"
)
WEB_REVOKED = "已收回网页链接，之前发出的链接都不能再打开了。"
WEB_NONE_TO_REVOKE = "您现在没有有效的网页链接。"
WEB_USAGE = "用法：/web 获取网页链接；/web off 收回链接。"
WEB_OFF = "这个机器人没有开启网页版（管理员需要设置 BOT_WEB_URL）。"
WEB_PREVIEW = "也可以在网页里看整篇材料，并在原处直接修改："
