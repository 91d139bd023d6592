"""Every user-facing sentence the core produces, in one place."""

from __future__ import annotations

import re

YES = "是"
NO = "否"
SKIPPED = "（已跳过）"

PROGRESS = "第{section}/{sections}部分 · 总进度 {share}%"
THIS_PART = "本部分"
PART_ANSWERED = "已答 {n} 题"
PART_CHARS_TARGET = "{chars}/{target} 字"
PART_CHARS = "{chars} 字"
PART_NOT_STARTED = "未开始"
STATUS_SHARE = "总进度 {share}%。各部分："
ITEM = "第{n}{item}"
PART = "第{n}部分"
MORE_DEFAULT = "已记下{n}{item}。还要再加一{item}吗？"
ADD = "再加一{item}"
FINISH_PART = "这部分写完了"
ADD_FIRST = "添加一{item}"
SKIP_PART = "这部分不写"
GENERATE = "生成报告"

ACTION_BACK = "上一步"
ACTION_SKIP = "跳过"
ACTION_DONE = "完成"
ACTION_KEEP = "保留原答案"
ACTION_DEFAULT = "用默认：{value}"
ACTION_CLEAR = "清空草稿"
ACTION_SAMPLES = "参考"
ACTION_GUIDE = "说明"
ACTION_LAST_YEAR = "去年的问题"

CURRENT = "当前答案：{value}"
PROBLEMS_SO_FAR = "前面写的问题："
DRAFT = "已收到 {chars} 字，这一题至少要 {min} 字。请接着补充，发出后一并保存。"
SAVED_CHARS = "已保存（{chars} 字）。"
APPENDING = "请发送要补充的内容，会接在原来的回答后面；不补充了点“完成”。"
ACTION_APPEND = "补充"
ACTION_UNSPLIT = "不拆分"
SPLIT_ONE = "我这样理解：\n{lines}\n拆得不对，点“不拆分”按原样保存。"
SPLIT_MANY = "识别出{n}{item}，已分别保存：\n{lines}\n拆得不对，点“不拆分”按一整段保存。"
SPLIT_LEAD = "\n（开头的“{lead}”不属于哪一条，没有放进去。）"
UNSPLIT = "已按原样保存为一整段。"
PICKED = "已选：{labels}"

SAVED = "已保存。"
BELOW_TARGET = "建议写到 {target} 字以上，可以点“补充”再写些具体情况。"
SAMPLE_TAKEN = "已采用这条参考表述（{chars} 字）。想接着写，点“补充”；想改，点“上一步”重写。"
SAMPLE_FILL = "这条参考表述里有 {n} 处“××”，我逐处问您，每次发一个词或数字即可。"
SAMPLE_FILLED = "已按您填的内容保存（{chars} 字）。想接着写，点“补充”。"
SAMPLE_ASK = "参考表述：{text}\n第 {i}/{n} 处“××”（【？】处）填什么？"
BROUGHT_IN = "已导入去年的材料。"
CLEARED = "草稿已清空，请重新发送。"
KEPT = "已保留原答案。"
MOVED_BACK = "已回到上一题。"
EDITING = "请修改这一题，改完后回到原来的位置。"
ADDING = "请写新的一{item}，写完后回到原来的位置。"
SECTION_RESTARTED = "本部分已清空，从头开始。"
RELOCATED = "问卷内容有更新，从需要回答的地方继续。"

ERR_REQUIRED = "这一题必须回答，不能跳过。"
ERR_FIRST = "已经是第一题了。"
ERR_EMPTY = "没有收到内容，请输入文字。"
ERR_TOO_SHORT = "内容太短：现在 {chars} 字，至少需要 {min} 字。"
ERR_TOO_LONG = "内容太长：现在 {chars} 字，最多 {max} 字。"
ERR_TOO_MANY_CHARS = (
    "内容太长：现在 {chars} 个字符（字母、数字、空格和标点都算），这一题最多 {max} 个字符。"
)
ERR_PICK_EMPTY = "没有收到内容。请点按钮选择，或输入选项的序号。"
ERR_NOT_OPTION = "“{text}”不是可选项，请点按钮或输入序号。"
ERR_NO_DRAFT = "还没有收到这一题的内容，请直接发送您的回答。"
ERR_NOTHING_TO_UNSPLIT = "刚才没有拆分，无需恢复。"
ERR_TOO_MANY_POINTS = "这里最多写 {max}{item}，您发来的条数超过了。请删去几条再发送。"
ERR_ONE_LINE = (
    "这一题只要一行。您发来了好几行，为免把后面几行错当成别的题的答案，这次没有保存。"
    "请只发这一题的答案。"
)
ERR_CANNOT_APPEND = "只能补充已经写好的长回答。"
ERR_NOTHING_PICKED = "请至少选择一项。"
ERR_NOT_ANSWERED = "这一题还没有答案，无法保留。"
ERR_NO_DEFAULT = "这一题没有默认答案。"
ERR_NOT_HERE = "这个操作在这里用不上。"
ERR_CANNOT_EDIT = "只能修改已经回答过的题目。"
ERR_SLOT = "请只发这一处“××”要填的内容（一个词或数字）；不用参考表述了点“清空草稿”。"
ERR_NO_SAMPLE = "请选择第 1 到第 {n} 条参考表述。"
ERR_NOTHING_TO_CLEAR = "现在没有草稿可以清空。"
ERR_NOTHING_TO_CANCEL = "现在没有需要取消的操作。"
CANCELLED = "已取消修改，回到原来的位置。"
ERR_CHANGED_ELSEWHERE = (
    "这份材料刚在另一处（另一个终端或聊天窗口）修改过，您的这条输入没有应用（已记入日志）。"
    "下面是现在的进度，需要的话请重新输入。"
)
ERR_AT_REVIEW = "已经全部答完。可以点“生成报告”，或选择要修改的部分。"
ERR_FINISHED = "这份材料已经完成。可以修改某一题后重新生成。"

REVIEW_TITLE = "全部问题已答完，请检查："
REVIEW_LINE = "{title}：{chars} 字"
REVIEW_TOTAL = "合计约 {chars} 字。"
REVIEW_TOTAL_REPORT = "生成的报告全文约 {chars} 字（含标题和固定格式文字）。"
TOTAL_LOW = "全文约 {chars} 字，这类材料一般 {low} 字以上。"
TOTAL_HIGH = "全文约 {chars} 字，超过一般的 {high} 字，可以精简。"
FINDINGS_TITLE = "审阅意见（仅供参考，不影响生成报告）："
LINKS_TITLE = "整改措施对应的问题（按用词判断，请自己核对）："
LINKS_NONE = "（没有找到对应的问题）"
REVIEW_DEFAULT_PROMPT = "确认无误后点“生成报告”；需要修改的部分，点对应的按钮。"
FINISHED = "材料已生成。"


# -- the console's wording ---------------------------------------------------------------------
# The texts above (and the flows' prompts) speak of buttons. The console has none: each
# "点“按钮”" becomes what to type there.
CONSOLE_TAPS = {
    "完成": "直接回车",
    "补充": "输入 /add",
    "不拆分": "输入 /unsplit",
    "清空草稿": "输入 /clear",
    "上一步": "输入 /back",
    "生成报告": "输入 /done 生成报告",
    "参考": "输入 /samples",
    "说明": "输入 /guide",
    "跳过": "输入 /skip",
    "保留原答案": "输入 /keep",
}
CONSOLE_PHRASES = (
    ("点对应的按钮", "输入 /edit 加序号"),
    ("请点按钮或输入序号", "请输入序号"),
    ("或选择要修改的部分", "或输入 /edit 加序号修改"),
    (
        "直接发送去年的材料文件，或发 /lastyear 粘贴全文",
        "输入 /lastyear 加去年材料的文件路径，或只输入 /lastyear 再粘贴全文",
    ),
)
_TAP = re.compile(r"[点选]“([^”]{1,8})”(\S?)")


def for_console(text: str) -> str:
    """A text in the console's terms: typing instead of tapping."""
    for tapped, typed in CONSOLE_PHRASES:
        text = text.replace(tapped, typed)

    def typed(m: re.Match[str]) -> str:
        command = CONSOLE_TAPS.get(m.group(1))
        if command is None:
            return m.group(0)
        after = m.group(2)
        gap = " " if after and after not in "，。；、）" else ""
        return f"{command}{gap}{after}"

    return _TAP.sub(typed, text)
