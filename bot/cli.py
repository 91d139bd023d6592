"""The `duizhao` command line: argument parsing and wiring only."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_dir

from bot.core import answersfile, engine
from bot.core.model import Flow
from bot.core.yamltext import decode
from bot.errors import AnswersFileError, DuizhaoError, FlowError
from bot.flows import flow_files, load_all, load_flow, own_flow_files, pick
from bot.service import Interviews
from bot.storage import Storage, backup

if TYPE_CHECKING:  # the Telegram adapter is imported only by `duizhao run`
    from telegram.ext import Application

    from bot.telegram.config import BotConfig
    from bot.telegram.run import WebServer


def default_db() -> Path:
    """BOT_DB if set, else duizhao.db in the user's data directory."""
    if os.environ.get("BOT_DB"):
        return Path(os.environ["BOT_DB"])
    return Path(user_data_dir("duizhao", appauthor=False)) / "duizhao.db"


def own_flows_dir(args: argparse.Namespace) -> Path | None:
    """The organisation's own flows folder: --flows, else BOT_FLOWS, else none."""
    folder = getattr(args, "flows", None) or os.environ.get("BOT_FLOWS", "").strip()
    return Path(folder) if folder else None


def flows_of(args: argparse.Namespace) -> dict[str, Flow]:
    return load_all(own_flows_dir(args))


def open_storage(path: Path | None, create: bool = True) -> Storage:
    """The database; commands that only read or delete pass `create=False`."""
    if path is None:
        path = default_db()
        # Only the default location is created; a path the user names must exist.
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
    return Storage(path, create=create)


def write_new_file(path: Path, text: str) -> None:
    """Write a file that must not exist yet, as `backup` does: an existing file (or a
    symlink, even a dangling one) is never overwritten or followed; readable by its owner
    only, since it holds the report's answers."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise DuizhaoError(f"{path} 已经存在，不会覆盖它；请换一个文件名") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def read_answers(path: str) -> str:
    """An answers file's text; one not in UTF-8 (or UTF-16 with a BOM) is refused."""
    try:
        return decode(Path(path).read_bytes())
    except UnicodeDecodeError as exc:
        raise AnswersFileError(
            f"{path} 不是 UTF-8 编码的文字（第 {exc.start} 个字节），请另存为 UTF-8 后再试"
        ) from None


def cmd_console(args: argparse.Namespace) -> int:
    from bot.console import Console, terminal_input

    flows = flows_of(args)
    if args.flow:
        pick(flows, args.flow)
    storage = open_storage(args.db)
    owner = f"console:{args.user or getpass.getuser()}"
    service = Interviews(storage, flows)
    console = Console(service, owner, out_dir=args.out, read=terminal_input())
    return console.run(args.flow)


def cmd_web(args: argparse.Namespace) -> int:
    """The web page for the console's interviews, on this machine only, until Ctrl-C."""
    import asyncio

    from bot.web.api import routes
    from bot.web.auth import Gate
    from bot.web.server import create_app, serving

    storage = open_storage(args.db)
    owner = f"console:{args.user or getpass.getuser()}"
    service = Interviews(storage, flows_of(args))
    if service.active(owner) is None:
        print("还没有材料：先运行 duizhao console 开始答题。", file=sys.stderr)
        return 1
    # A new link each run: the one printed last time stops working.
    token = storage.new_link_token(owner)
    app = create_app(routes(service, Gate(storage), dt.date.today))

    async def serve() -> None:
        async with serving(app, "127.0.0.1", args.port, "--port"):
            print(
                f"请在本机浏览器中打开（24 小时内有效，按 Ctrl-C 结束）：\n"
                f"http://127.0.0.1:{args.port}/#t={token}",
                flush=True,
            )
            await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    finally:
        storage.close()
    return 0


def cmd_flows_check(args: argparse.Namespace) -> int:
    own = own_flows_dir(args)
    files = [Path(f) for f in args.files] or flow_files() + (own_flow_files(own) if own else [])
    failed = 0
    for path in files:
        try:
            flow = load_flow(path)
        except FlowError as exc:
            failed += 1
            for fault in exc.faults:
                print(fault, file=sys.stderr)
            continue
        print(f"{path}: ok ({flow.id}, {len(flow.sections)} sections)")
    return 1 if failed else 0


def cmd_flows_list(args: argparse.Namespace) -> int:
    for flow in flows_of(args).values():
        print(f"{flow.id}\t{flow.title}\t{flow.source}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    flows = flows_of(args)
    storage = open_storage(args.db, create=False)
    interview = storage.get(args.interview)
    text = answersfile.dump(pick(flows, interview.flow_id), interview.state.answers)
    if args.output:
        write_new_file(Path(args.output), text)
        print(f"已导出到 {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    """Delete one interview for good, after showing what it is; needs --yes."""
    storage = open_storage(args.db, create=False)
    interview = storage.get(args.interview)
    owner = args.owner or f"console:{getpass.getuser()}"
    flow = flows_of(args).get(interview.flow_id)
    print(f"材料 #{interview.id}：{flow.title if flow else interview.flow_id}")
    print(f"所有者：{interview.owner}")
    print(f"创建于 {interview.created_at}，最后修改于 {interview.updated_at}")
    events = len(storage.events(interview.id))
    print(f"{len(interview.state.answers)} 项答案，{events} 条记录")
    if interview.owner != owner:
        # A mistyped id must not delete someone else's material: name its owner to confirm.
        raise DuizhaoError(
            f"材料 #{interview.id} 不属于 {owner}；确实要删除，请加 --owner {interview.owner}"
        )
    if not args.yes:
        print("没有删除。确认要彻底删除，请加 --yes 再运行一次。", file=sys.stderr)
        return 1
    storage.delete(interview.id, interview.owner)
    print(f"已删除材料 #{interview.id}，答案和记录都已从数据库中抹去。")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    dest = backup(args.db or default_db(), args.path)
    print(f"已备份到 {dest}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    flows = flows_of(args)
    flow, data = answersfile.parse(read_answers(args.file), flows)
    storage = open_storage(args.db)
    owner = f"console:{args.user or getpass.getuser()}"
    interview = storage.create(owner, flow, engine.adopt(flow, data.answers))
    print(f"已导入为材料 #{interview.id}（{flow.title}），运行 duizhao console 继续。")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from bot.report.render import render_files

    flows = flows_of(args)
    flow, data = answersfile.parse(read_answers(args.file), flows)
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    unknown = set(formats) - {"docx", "md", "txt"}
    if unknown:
        raise DuizhaoError(f"不支持的格式：{', '.join(sorted(unknown))}（可用 docx, md, txt）")
    if not formats:
        raise DuizhaoError("没有指定格式：--format 写 docx、md、txt 中的一个或几个，用逗号分开")
    date = data.date or dt.date.today()
    args.output.mkdir(parents=True, exist_ok=True)
    paths = render_files(
        flow,
        data.answers,
        date=date,
        out_dir=args.output,
        formats=formats,
        basename=Path(args.file).stem,
    )
    for path in paths:
        print(path)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.telegram.config import load_config, load_webhook, one_server
    from bot.telegram.run import configure_logging, run_bot

    db = args.db or default_db()
    config = load_config(args.token, db, args.api_base_url, args.allowed_users)
    hook = load_webhook(
        args.webhook_url, args.webhook_secret, args.webhook_listen, args.webhook_port
    )
    config = replace(config, webhook=hook)
    one_server(config)
    if args.poll_timeout is not None:
        config = replace(config, poll_timeout=args.poll_timeout)
    configure_logging(config.token, hook.secret if hook else "")  # before the flows are loaded
    flows = flows_of(args)
    if args.db is None:
        db.parent.mkdir(parents=True, exist_ok=True)
    return run_bot(config, flows, web=web_server(config))


def web_server(config: BotConfig) -> WebServer | None:
    """The bot's web server, for run_bot to open: the webhook endpoint (with a webhook URL)
    and the web page (with BOT_WEB_URL) on one app; None when neither is set. With a
    webhook, the page shares its address (BOT_WEBHOOK_LISTEN/PORT)."""
    from bot.telegram.context import DEPS
    from bot.telegram.web import report_sender
    from bot.web.api import routes
    from bot.web.auth import Gate
    from bot.web.server import create_app, serving
    from bot.web.webhook import webhook_routes

    hook = config.webhook
    if hook is None and not config.web_url:
        return None
    host, port = (hook.listen, hook.port) if hook else (config.web_host, config.web_port)

    def web(
        receive: Callable[[dict], Awaitable[None]] | None, application: Application
    ) -> AbstractAsyncContextManager[None]:
        groups = []
        if hook is not None and receive is not None:
            groups.append(webhook_routes(hook.path, hook.secret, receive))
        if config.web_url:
            deps = application.bot_data[DEPS]
            gate = Gate(deps.service.storage, config.token, config.allowed_users)
            groups.append(routes(deps.service, gate, deps.today, report_sender(application)))
        settings = (
            "BOT_WEBHOOK_LISTEN / BOT_WEBHOOK_PORT" if hook else "BOT_WEB_HOST / BOT_WEB_PORT"
        )
        return serving(create_app(*groups), host, port, settings)

    return web


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="duizhao", description="对照检查材料写作助手")
    parser.add_argument("--version", action="version", version=f"duizhao {version('duizhao')}")
    sub = parser.add_subparsers(dest="command", required=True)
    own = argparse.ArgumentParser(add_help=False)
    own.add_argument(
        "--flows",
        type=Path,
        metavar="DIR",
        help="自己的流程目录（DIR/flows/*.yaml 和 DIR/templates/*.j2；默认：环境变量 BOT_FLOWS）",
    )

    p = sub.add_parser("console", help="在终端里答题", parents=[own])
    p.add_argument("--flow", help="材料模板 id（见 duizhao flows list）")
    p.add_argument("--db", type=Path, help="SQLite 数据库文件（默认：用户数据目录）")
    p.add_argument("--user", help="用户名（默认：当前系统用户）")
    p.add_argument("--out", type=Path, default=Path("."), help="报告输出目录（默认：当前目录）")
    p.set_defaults(func=cmd_console)

    p = sub.add_parser("web", help="在本机浏览器里查看和修改整篇材料", parents=[own])
    p.add_argument("--db", type=Path, help="SQLite 数据库文件（默认：用户数据目录）")
    p.add_argument("--user", help="用户名（默认：当前系统用户）")
    p.add_argument("--port", type=int, default=8765, help="本机端口（默认：8765）")
    p.set_defaults(func=cmd_web)

    p = sub.add_parser("run", help="启动 Telegram 机器人（长轮询或 webhook）", parents=[own])
    p.add_argument("--token", help="机器人令牌（默认：环境变量 BOT_TOKEN）")
    p.add_argument("--db", type=Path, help="SQLite 数据库文件（默认：BOT_DB 或用户数据目录）")
    p.add_argument("--api-base-url", help="Bot API 地址（默认：BOT_API_BASE_URL 或 Telegram 官方）")
    p.add_argument("--allowed-users", help="允许使用的 Telegram 用户编号，逗号分隔")
    p.add_argument(
        "--webhook-url", help="用 webhook 接收消息：Telegram 推送的 https 地址（BOT_WEBHOOK_URL）"
    )
    p.add_argument(
        "--webhook-secret", help="webhook 的密钥（BOT_WEBHOOK_SECRET；默认每次启动随机生成）"
    )
    p.add_argument(
        "--webhook-listen", help="网页服务监听的地址（BOT_WEBHOOK_LISTEN，默认 127.0.0.1）"
    )
    p.add_argument("--webhook-port", help="网页服务监听的端口（BOT_WEBHOOK_PORT，默认 8080）")
    p.add_argument("--poll-timeout", type=int, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_run)

    flows = sub.add_parser("flows", help="检查或列出材料模板").add_subparsers(
        dest="flows_command", required=True
    )
    p = flows.add_parser("check", help="检查流程文件", parents=[own])
    p.add_argument("files", nargs="*", help="流程文件（默认：全部内置流程和自己的流程）")
    p.set_defaults(func=cmd_flows_check)
    p = flows.add_parser("list", help="列出可用的流程", parents=[own])
    p.set_defaults(func=cmd_flows_list)

    p = sub.add_parser("export", help="把一份材料的答案导出为 YAML", parents=[own])
    p.add_argument("interview", type=int, help="材料编号")
    p.add_argument("-o", "--output", help="输出文件（默认：标准输出）")
    p.add_argument("--db", type=Path)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="从 YAML 答案文件新建一份材料", parents=[own])
    p.add_argument("file")
    p.add_argument("--db", type=Path)
    p.add_argument("--user")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "delete", help="彻底删除一份材料（先显示内容，加 --yes 才删除）", parents=[own]
    )
    p.add_argument("interview", type=int, help="材料编号")
    p.add_argument("--owner", help="材料的所有者（默认：console:当前系统用户；如 tg:12345）")
    p.add_argument("--yes", action="store_true", help="确认删除")
    p.add_argument("--db", type=Path)
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("backup", help="把正在使用的数据库备份到一个新文件")
    p.add_argument("path", type=Path, help="备份文件（不能已经存在）")
    p.add_argument("--db", type=Path, help="数据库文件（默认：BOT_DB 或用户数据目录）")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("render", help="从 YAML 答案文件直接生成报告", parents=[own])
    p.add_argument("file")
    p.add_argument("-o", "--output", type=Path, default=Path("."))
    p.add_argument("--format", default="docx,md,txt")
    p.set_defaults(func=cmd_render)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FlowError as exc:
        more = len(exc.faults) - 1
        rest = f"（另有 {more} 处，duizhao flows check {exc.file} 列出全部）" if more else ""
        print(f"错误：流程文件有误：{exc.faults[0]}{rest}", file=sys.stderr)
        return 1
    except DuizhaoError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
