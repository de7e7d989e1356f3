"""`mytool ledger`: init, split, merge returned copies edited the way people edit, status."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import LXML, SAMPLE_2023H2, needs, write_xlsx
from typer.testing import CliRunner

from mytool.cli import app

runner = CliRunner()

PROBLEMS = [
    ["街镇", "大类", "小项", "点位地址", "问题描述", "发现日期"],
    ["九亭", "工地", "工地围挡与文明施工", "荣乐路490号在建工地", "工地围挡破损", "2023-12-23"],
    ["九亭镇", "居住区", "小区环境卫生", "九亭一村12号楼", "楼道口垃圾堆积", "2023-11-19"],
    ["新桥镇", "工地", "渣土运输与扬尘控制", "人民路756号在建工地", "出入口路面泥浆", "2023-11-13"],
    ["新桥镇", "城市道路", "路面平整完好", "新茸路88号", "=路面坑洼积水", "2023-12-05"],
    ["岳阳街道", "居住区", "垃圾分类投放", "岳阳新村37号楼", "湿垃圾混投", "2023-12-02"],
    ["车墩镇", "居住区", "车辆停放秩序", "车墩新苑", "消防通道停车", "2023-12-30"],
    ["叶榭镇", "城市水域", "河岸环境", "叶榭塘", "河岸堆放建筑垃圾", "2023-11-10"],
]
BUILDING = "2023H2-整改台账-区建管委.xlsx"
HOUSING = "2023H2-整改台账-区房管局.xlsx"


def write_problems(folder: Path) -> Path:
    """The problem list as CSV, so "=…" text stays text (as it arrives from other systems)."""
    path = folder / "点位问题.csv"
    path.write_text("\n".join(",".join(row) for row in PROBLEMS) + "\n", encoding="utf-8")
    return path


def invoke(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    problems = write_problems(tmp_path)
    target = tmp_path / "台账.xlsx"
    result = invoke("ledger", "init", SAMPLE_2023H2, "--problems", problems, "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"已建整改台账 {target}：7 个点位问题\n"
    return target


def sheet_rows(path: Path, title: str = "整改台账") -> list[list[object]]:
    book = openpyxl.load_workbook(path)
    return [list(row) for row in book[title].iter_rows(values_only=True)]


def rows_by_id(path: Path) -> dict[str, dict[str, object]]:
    rows = sheet_rows(path)
    header = rows[1]
    return {row[0]: dict(zip(header, row, strict=False)) for row in rows[2:] if row[0]}


def edit(path: Path, changes: dict[tuple[str, str], object], *, rename=(), delete=()) -> None:
    """Edit a workbook as a person would: cells by (ID, header), renamed headers, deleted rows."""
    book = openpyxl.load_workbook(path)
    sheet = book["整改台账"]
    header = [c.value for c in sheet[2]]
    rows = {sheet.cell(r, 1).value: r for r in range(3, sheet.max_row + 1)}
    for (entry_id, column), value in changes.items():
        cell = sheet.cell(rows[entry_id], header.index(column) + 1)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # typed text, even "=…" (Excel's leading apostrophe)
    for old, new in rename:
        sheet.cell(2, header.index(old) + 1).value = new
    for entry_id in delete:
        sheet.delete_rows(rows[entry_id])
    book.save(path)


def test_init_writes_one_row_per_point_with_ids_drop_down_dates_and_marked_columns(ledger):
    book = openpyxl.load_workbook(ledger)
    sheet = book["整改台账"]
    header = [c.value for c in sheet[2]]
    assert header == [
        "编号", "期次", "街镇", "大类", "小项", "点位地址", "问题描述", "牵头部门", "整改措施",
        "责任人", "完成时限", "整改进展", "状态", "复查时间", "复查结论", "销号日期", "备注",
    ]  # fmt: skip
    rows = rows_by_id(ledger)
    assert list(rows) == [f"2023H2-000{n}" for n in range(1, 8)]
    first = rows["2023H2-0001"]
    assert (first["街镇"], first["牵头部门"], first["状态"]) == ("九亭镇", "区建管委", "未启动")
    assert rows["2023H2-0007"]["牵头部门"] == "区水务局"
    assert first["完成时限"] == dt.datetime(2024, 4, 10)  # a real date cell
    assert sheet["K3"].is_date and sheet["K3"].number_format == "yyyy-mm-dd"
    assert sheet["G6"].value == "=路面坑洼积水" and sheet["G6"].data_type == "s"  # text, no formula
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    status = validations["M3"]
    assert status.type == "list" and status.formula1 == '"未启动,整改中,待核验,已销号"'
    assert validations["K3"].type == "date"
    assert sheet["A3"].fill.fgColor.rgb.endswith("E7E6E6")  # ID and source columns are grey
    assert sheet["H2"].comment is not None and "请勿修改" in sheet["H2"].comment.text
    assert sheet["I3"].fill.fgColor.rgb != sheet["A3"].fill.fgColor.rgb
    assert "请勿修改" in sheet["A1"].value


def test_init_refuses_to_overwrite_a_ledger_and_backs_it_up_with_force(ledger, tmp_path):
    before = ledger.read_bytes()
    result = invoke("ledger", "init", SAMPLE_2023H2, "-o", ledger)
    assert result.exit_code == 2
    assert "台账已存在，没有覆盖" in result.stderr and "--force" in result.stderr
    assert ledger.read_bytes() == before
    result = invoke(
        "ledger", "init", SAMPLE_2023H2, "-o", ledger, "--force", "--deadline", "2024/4/30"
    )
    assert result.exit_code == 0, result.output
    (backup,) = tmp_path.glob("台账.备份-*.xlsx")
    assert backup.read_bytes() == before
    rows = rows_by_id(ledger)
    assert len(rows) == 40  # the sample report's own problem sheet
    assert rows["2023H2-0001"]["完成时限"] == dt.datetime(2024, 4, 30)


def test_split_by_department_writes_one_copy_per_department_with_only_its_rows(ledger, tmp_path):
    result = invoke("ledger", "split", ledger, "--by", "department", "-d", tmp_path / "out")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "out").glob("*.xlsx"))
    assert names == ["台账-区建管委.xlsx", "台账-区房管局.xlsx", "台账-区水务局.xlsx"]
    copy = tmp_path / "out" / "台账-区建管委.xlsx"
    assert list(rows_by_id(copy)) == ["2023H2-0001", "2023H2-0003", "2023H2-0004"]
    book = openpyxl.load_workbook(copy)
    assert book["分发快照"].sheet_state == "veryHidden"
    assert book["整改台账"].data_validations.dataValidation[0].formula1.startswith('"未启动')
    by_unit = invoke("ledger", "split", ledger, "--by", "unit", "-d", tmp_path / "units")
    assert by_unit.exit_code == 0
    assert len(list((tmp_path / "units").glob("*.xlsx"))) == 5
    again = invoke("ledger", "split", ledger, "-d", tmp_path / "out")
    assert again.exit_code == 2 and "已有同名分发表" in again.stderr


@needs(*LXML)
def test_full_cycle_init_split_edit_merge_status(tmp_path):
    problems = write_problems(tmp_path)
    master = tmp_path / "2023H2-整改台账.xlsx"
    assert (
        invoke("ledger", "init", SAMPLE_2023H2, "--problems", problems, "-o", master).exit_code == 0
    )
    out = tmp_path / "分发"
    assert invoke("ledger", "split", master, "--by", "department", "-d", out).exit_code == 0

    # 区建管委 fills measures, closes one without a review, types a status wrong,
    # renames a column, and writes progress on a point the office has meanwhile changed.
    building = tmp_path / "回收-区建管委.xlsx"
    shutil.copy(out / BUILDING, building)
    edit(
        building,
        {
            ("2023H2-0001", "整改措施"): "更换围挡并加固",
            ("2023H2-0001", "责任人"): "张伟 13800000000",
            ("2023H2-0001", "状态"): "已销号",
            ("2023H2-0001", "销号日期"): dt.datetime(2024, 3, 20),
            ("2023H2-0003", "整改进展"): "已安排冲洗设备",
            ("2023H2-0003", "状态"): "整改中",
            ("2023H2-0004", "整改措施"): "=修补路面",
            ("2023H2-0004", "状态"): "已消号",
        },
        rename=[("整改进展", "整改进展情况")],
    )
    # 区房管局 deletes a row, renames 责任人 to something unrecognisable, types dates as text.
    housing = tmp_path / "回收-区房管局.xlsx"
    shutil.copy(out / HOUSING, housing)
    edit(
        housing,
        {
            ("2023H2-0002", "整改措施"): "清运堆积垃圾",
            ("2023H2-0002", "状态"): "待核验",
            ("2023H2-0002", "复查时间"): "2024/3/25",
            ("2023H2-0005", "状态"): " 整改中 ",
            ("2023H2-0005", "责任人"): 13900000000,
            ("2023H2-0005", "复查时间"): "下周",
        },
        rename=[("责任人", "联系人")],
        delete=["2023H2-0006"],
    )
    # Meanwhile the office writes into the master the cell 区建管委 also edits.
    edit(master, {("2023H2-0003", "整改进展"): "区里已督办"})
    before = master.read_bytes()

    result = invoke("ledger", "merge", master, building, housing)
    assert result.exit_code == 1, result.output  # conflicts and held values: finished with problems
    report = result.stdout
    assert (
        "回收表 回收-区建管委.xlsx：共 3 行；更新 3 行，未改动 0 行，有改动但未导入 0 行，冲突 1 处"
        in report
    )
    assert "列「整改进展」的表头被改成了「整改进展情况」（整改台账!L2），已按名称对应" in report
    assert "未导入 整改台账!M5（2023H2-0004 状态）：「已消号」不是有效状态" in report
    assert (
        "回收表 回收-区房管局.xlsx：共 2 行；更新 2 行，未改动 0 行，有改动但未导入 0 行，冲突 0 处"
        in report
    )
    assert "列「责任人」的表头被改成了「联系人」（整改台账!J2），已按位置对应" in report
    assert "回收表中删除了 1 行（总台账保留）：2023H2-0006" in report
    assert "未导入 整改台账!N4（2023H2-0005 复查时间）：「下周」不是有效日期" in report
    assert (
        "2023H2-0003「整改进展」：分发后总台账中已改动：回收-区建管委.xlsx 整改台账!L4 填"
        "「已安排冲洗设备」；总台账保留「区里已督办」" in report
    )
    assert "合计：写入总台账 11 个单元格；冲突 1 处；未导入 2 项" in report

    (backup,) = tmp_path.glob("2023H2-整改台账.备份-*.xlsx")
    assert backup.read_bytes() == before
    rows = rows_by_id(master)
    assert list(rows) == [f"2023H2-000{n}" for n in range(1, 8)]  # nothing deleted
    assert rows["2023H2-0001"]["整改措施"] == "更换围挡并加固"
    assert rows["2023H2-0001"]["责任人"] == "张伟 13800000000"
    assert rows["2023H2-0001"]["销号日期"] == dt.datetime(2024, 3, 20)
    assert rows["2023H2-0002"]["复查时间"] == dt.datetime(2024, 3, 25)
    assert rows["2023H2-0003"]["整改进展"] == "区里已督办"  # the master keeps its value
    assert rows["2023H2-0003"]["状态"] == "整改中"
    assert rows["2023H2-0004"]["状态"] == "未启动"  # the typo did not go in
    assert rows["2023H2-0005"]["责任人"] == "13900000000"
    assert rows["2023H2-0005"]["状态"] == "整改中"
    book = openpyxl.load_workbook(master)
    assert book["整改台账"]["I6"].value == "=修补路面" and book["整改台账"]["I6"].data_type == "s"
    conflicts = sheet_rows(master, "冲突")
    assert conflicts[0][1:] == [
        "编号", "列", "总台账中的值（已保留）", "分发时的值", "回收表", "单元格", "回收表中的值",
        "原因",
    ]  # fmt: skip
    assert conflicts[1][1:] == [
        "2023H2-0003", "整改进展", "区里已督办", None, "回收-区建管委.xlsx", "整改台账!L4",
        "已安排冲洗设备", "分发后总台账中已改动",
    ]  # fmt: skip
    held = {(row[3], row[4]): row[5] for row in sheet_rows(master, "未导入")[1:]}
    assert held == {("2023H2-0004", "状态"): "已消号", ("2023H2-0005", "复查时间"): "下周"}

    # No value typed by anyone is lost: each is in a master cell or in 冲突 / 未导入.
    typed = ["更换围挡并加固", "张伟 13800000000", "已安排冲洗设备", "=修补路面", "已消号"]
    typed += ["清运堆积垃圾", "13900000000", "下周", "区里已督办"]
    kept = {
        str(v)
        for title in ("整改台账", "冲突", "未导入")
        for r in sheet_rows(master, title)
        for v in r
    }
    assert [t for t in typed if t not in kept] == []

    status = invoke("ledger", "status", master, "--as-of", "2024-04-15", "-f", "json", "--strict")
    assert status.exit_code == 1
    data = json.loads(status.stdout)
    assert data["as_of"] == "2024-04-15" and data["total"] == 7
    assert data["by_status"] == {"未启动": 3, "整改中": 2, "待核验": 1, "已销号": 1}
    overdue = [
        (i["id"], i["unit"], i["department"], i["deadline"], i["status"]) for i in data["overdue"]
    ]
    assert overdue == [
        ("2023H2-0002", "九亭镇", "区房管局", "2024-04-10", "待核验"),
        ("2023H2-0003", "新桥镇", "区建管委", "2024-04-10", "整改中"),
        ("2023H2-0004", "新桥镇", "区建管委", "2024-04-10", "未启动"),
        ("2023H2-0005", "岳阳街道", "区房管局", "2024-04-10", "整改中"),
        ("2023H2-0006", "车墩镇", "区房管局", "2024-04-10", "未启动"),
        ("2023H2-0007", "叶榭镇", "区水务局", "2024-04-10", "未启动"),
    ]  # fmt: skip
    assert {i["days_overdue"] for i in data["overdue"]} == {5}
    assert data["due_soon"] == []
    assert [i["id"] for i in data["closed_without_review"]] == ["2023H2-0001"]
    assert data["by_department"]["区建管委"] == {
        "total": 3,
        "by_status": {"未启动": 1, "整改中": 1, "待核验": 0, "已销号": 1},
        "overdue": 2,
        "closed_percent": 33.33,
    }
    notice = invoke("ledger", "status", master, "--as-of", "2024-04-15", "-f", "md")
    assert notice.exit_code == 0  # not --strict
    text = notice.stdout
    assert text.startswith("# 关于2023年下半年市容环境满意度测评点位问题整改进展情况的通报")
    assert "截至2024年4月15日，2023年下半年测评点位问题共 **7** 个：" in text
    assert "其中已过完成时限仍未销号的 **6** 个" in text
    assert "| 区建管委 | 3 | 1 | 1 | 0 | 1 | **2** | 33.33% |" in text
    assert (
        "| 2023H2-0004 | 新桥镇 | 区建管委 | 新茸路88号 | \\=路面坑洼积水 | 2024-04-10 | 未启动 "
        "| 5 |" in text
    )
    assert "已销号但未填写复查结论的 1 个" in text


@needs(*LXML)
def test_two_returns_giving_one_cell_different_values_is_a_conflict_not_a_choice(ledger, tmp_path):
    assert invoke("ledger", "split", ledger, "-d", tmp_path / "d").exit_code == 0
    assert invoke("ledger", "split", ledger, "--by", "unit", "-d", tmp_path / "u").exit_code == 0
    department = tmp_path / "d" / "台账-区建管委.xlsx"
    unit = tmp_path / "u" / "台账-九亭镇.xlsx"
    edit(department, {("2023H2-0001", "整改措施"): "更换围挡", ("2023H2-0001", "状态"): "整改中"})
    edit(unit, {("2023H2-0001", "整改措施"): "修补围挡", ("2023H2-0001", "状态"): "整改中"})
    result = invoke("ledger", "merge", ledger, department, unit)
    assert result.exit_code == 1
    assert (
        "2023H2-0001「整改措施」：两份回收表填写不一致："
        "台账-区建管委.xlsx 整改台账!I3 填「更换围挡」；"
        "台账-九亭镇.xlsx 整改台账!I3 填「修补围挡」；总台账保留「空」" in result.stdout
    )
    row = rows_by_id(ledger)["2023H2-0001"]
    assert (row["整改措施"], row["状态"]) == (None, "整改中")  # the agreed status goes in
    assert {r[7] for r in sheet_rows(ledger, "冲突")[1:]} == {"更换围挡", "修补围挡"}


@needs(*LXML)
def test_a_copy_without_snapshot_only_fills_empty_cells(ledger, tmp_path):
    handmade = tmp_path / "手工表.xlsx"
    shutil.copy(ledger, handmade)
    edit(ledger, {("2023H2-0002", "整改措施"): "总台账已填"})
    edit(handmade, {("2023H2-0001", "整改措施"): "新填", ("2023H2-0002", "整改措施"): "另填"})
    result = invoke("ledger", "merge", ledger, handmade)
    assert result.exit_code == 1
    assert "没有分发快照" in result.stdout
    rows = rows_by_id(ledger)
    assert rows["2023H2-0001"]["整改措施"] == "新填"
    assert rows["2023H2-0002"]["整改措施"] == "总台账已填"


@needs(*LXML)
def test_unknown_ids_and_rows_without_id_are_kept_in_the_held_sheet(ledger, tmp_path):
    assert invoke("ledger", "split", ledger, "-d", tmp_path / "d").exit_code == 0
    copy = tmp_path / "d" / "台账-区水务局.xlsx"
    book = openpyxl.load_workbook(copy)
    book["整改台账"].append(["2023H2-0099", None, "叶榭镇", None, None, "叶榭塘东侧", "新发现"])
    book["整改台账"].append([None, None, "叶榭镇", None, None, "兴达路", "自查发现垃圾"])
    book.save(copy)
    result = invoke("ledger", "merge", ledger, copy)
    assert result.exit_code == 1
    assert "编号 2023H2-0099 不在总台账中（整改台账!A4），整行未导入" in result.stdout
    assert "未导入 整改台账!A5：这一行没有编号（新加的行？），未导入" in result.stdout
    held = sheet_rows(ledger, "未导入")[1:]
    assert [r[5] for r in held] == [
        "街镇：叶榭镇；点位地址：叶榭塘东侧；问题描述：新发现",
        "街镇：叶榭镇；点位地址：兴达路；问题描述：自查发现垃圾",
    ]


@needs(*LXML)
def test_an_interrupted_merge_leaves_the_previous_master_intact(ledger, tmp_path, monkeypatch):
    assert invoke("ledger", "split", ledger, "-d", tmp_path / "d").exit_code == 0
    copy = tmp_path / "d" / "台账-区水务局.xlsx"
    edit(copy, {("2023H2-0007", "整改措施"): "清理建筑垃圾"})
    before = ledger.read_bytes()
    import mytool.writing.output

    real_replace = mytool.writing.output.os.replace

    def failing_replace(source, target):
        if Path(target) == ledger:
            raise OSError(28, "No space left on device", str(target))
        return real_replace(source, target)

    monkeypatch.setattr(mytool.writing.output.os, "replace", failing_replace)
    result = invoke("ledger", "merge", ledger, copy)
    assert result.exit_code == 3
    assert "无法写入输出文件" in result.stderr and "Traceback" not in result.output
    assert ledger.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "tmp" in p.name] == []  # no temporary left
    monkeypatch.undo()
    assert invoke("ledger", "merge", ledger, copy).exit_code == 0
    assert rows_by_id(ledger)["2023H2-0007"]["整改措施"] == "清理建筑垃圾"


@needs(*LXML)
def test_a_master_open_in_excel_is_not_replaced(ledger, tmp_path):
    assert invoke("ledger", "split", ledger, "-d", tmp_path / "d").exit_code == 0
    copy = tmp_path / "d" / "台账-区水务局.xlsx"
    edit(copy, {("2023H2-0007", "状态"): "整改中"})
    (tmp_path / "~$台账.xlsx").write_bytes(b"owner")
    before = ledger.read_bytes()
    result = invoke("ledger", "merge", ledger, copy)
    assert result.exit_code == 4, result.output  # cron must see the master was not updated
    assert "总台账正在 Excel/WPS 中打开（~$台账.xlsx），未改动" in result.stdout
    assert ledger.read_bytes() == before
    (merged,) = tmp_path.glob("台账-合并结果-*.xlsx")
    assert rows_by_id(merged)["2023H2-0007"]["状态"] == "整改中"


@needs(*LXML)
def test_merging_the_same_return_twice_changes_nothing_the_second_time(ledger, tmp_path):
    assert invoke("ledger", "split", ledger, "-d", tmp_path / "d").exit_code == 0
    copy = tmp_path / "d" / "台账-区水务局.xlsx"
    edit(copy, {("2023H2-0007", "状态"): "整改中"})
    assert invoke("ledger", "merge", ledger, copy).exit_code == 0
    after_first = ledger.read_bytes()
    second = invoke("ledger", "merge", ledger, copy)
    assert second.exit_code == 0
    assert "更新 0 行，未改动 1 行" in second.stdout
    assert "总台账没有需要改动的内容，未改写。" in second.stdout
    assert ledger.read_bytes() == after_first


def test_status_counts_due_soon_and_strict_exit(ledger):
    result = invoke("ledger", "status", ledger, "--as-of", "2024-04-01", "--strict", "-f", "json")
    assert result.exit_code == 0  # nothing overdue yet
    data = json.loads(result.stdout)
    assert data["overdue"] == [] and len(data["due_soon"]) == 7
    assert data["due_soon"][0]["days_left"] == 9
    late = invoke("ledger", "status", ledger, "--as-of", "2024-04-11", "--strict")
    assert late.exit_code == 1
    assert "逾期 7 个" in late.stdout
    assert invoke("ledger", "status", ledger, "-f", "xlsx").exit_code == 2


def test_status_xlsx_has_the_overdue_sheet(ledger, tmp_path):
    target = tmp_path / "进展.xlsx"
    result = invoke("ledger", "status", ledger, "--as-of", "2024-04-15", "-f", "xlsx", "-o", target)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["汇总", "牵头部门", "街镇", "逾期", "即将到期", "未复查"]
    assert book["逾期"].max_row == 8


def test_a_file_that_is_not_a_ledger_is_refused_with_the_fix(tmp_path):
    other = write_xlsx(tmp_path / "x.xlsx", [["a", "b"], [1, 2]])
    result = invoke("ledger", "status", other)
    assert result.exit_code == 2
    assert "x.xlsx：没有找到整改台账的表头（需要 编号、街镇、状态 等列）" in result.stderr


def test_brief_with_ledger_lists_the_units_open_items_and_marks_overdue(tmp_path):
    master = tmp_path / "台账.xlsx"
    assert invoke("ledger", "init", SAMPLE_2023H2, "-o", master).exit_code == 0
    jiuting = [i for i, row in rows_by_id(master).items() if row["街镇"] == "九亭镇"]
    assert jiuting == ["2023H2-0022", "2023H2-0023", "2023H2-0024", "2023H2-0025"]
    edit(
        master,
        {
            ("2023H2-0022", "状态"): "已销号",
            ("2023H2-0023", "状态"): "整改中",
            ("2023H2-0023", "整改进展"): "已清除过期告示",
            ("2023H2-0024", "完成时限"): dt.datetime(2099, 12, 31),
        },
    )
    out = tmp_path / "简报"
    result = invoke(
        "brief", SAMPLE_2023H2, "-f", "both", "-u", "九亭", "--ledger", master, "-d", out
    )
    assert result.exit_code == 0, result.output
    text = (out / "2023H2-九亭镇-整改提升简报.md").read_text(encoding="utf-8")
    today = dt.date.today()
    late = (today - dt.date(2024, 4, 10)).days
    assert f"### 整改台账进展（截至{today.year}年{today.month}月{today.day}日）" in text
    assert "尚未销号 3 个，其中逾期 **2** 个：" in text
    assert "2023H2-0022" not in text  # closed
    assert (
        f"| 2023H2-0023 | 居住区 | 九亭一村39号楼 | 区房管局 | 2024-04-10 "
        f"| 整改中（**逾期 {late} 天**） | 已清除过期告示 |" in text
    )
    assert (
        "| 2023H2-0024 | 工地 | 嘉松南路1023号在建工地 | 区建管委 | 2099-12-31 | 未启动 | — |"
        in text
    )
    book = openpyxl.load_workbook(out / "2023H2-满意度提升简报.xlsx")
    values = [c for row in book["九亭镇"].iter_rows(values_only=True) for c in row if c]
    assert f"未启动（逾期 {late} 天）" in values and "2023H2-0025" in values


def test_brief_without_ledger_has_no_ledger_section(tmp_path):
    out = tmp_path / "简报"
    assert invoke("brief", SAMPLE_2023H2, "-f", "both", "-u", "九亭", "-d", out).exit_code == 0
    assert "整改台账进展" not in (out / "2023H2-九亭镇-整改提升简报.md").read_text(encoding="utf-8")


def test_init_refuses_more_points_than_a_ledger_holds_naming_the_fix(tmp_path, monkeypatch):
    from mytool.ledger import workbook_writer

    monkeypatch.setattr(workbook_writer, "MAX_LEDGER_ROWS", 6)
    target = tmp_path / "台账.xlsx"
    result = invoke(
        "ledger", "init", SAMPLE_2023H2, "--problems", write_problems(tmp_path), "-o", target
    )
    assert result.exit_code == 2
    assert "点位问题共 7 个，超过一本整改台账的上限（6 个），未建台账" in result.stderr
    assert "分成几份" in result.stderr and not target.exists()


def test_every_ledger_init_may_write_is_within_what_status_split_and_merge_read():
    """init's row limit, not the readers' cell limit, is what refuses a ledger too large."""
    from mytool.analysis.ledger.columns import COLUMNS
    from mytool.ledger.workbook import HEADER_ROW, LEDGER_LIMITS, MAX_LEDGER_ROWS

    # the pre-scan counts at least 52 columns once a sheet has a column beyond Z
    assert (MAX_LEDGER_ROWS + HEADER_ROW) * max(52, len(COLUMNS)) <= LEDGER_LIMITS.max_cells


def test_returned_cells_read_by_calamine_mean_what_they_meant_to_openpyxl(ledger, tmp_path):
    """Error cells, dates with a time, numbers and blanks in a returned copy, as before."""
    invoke("ledger", "split", ledger, "-d", tmp_path / "分发")
    copy = tmp_path / "分发" / "台账-区建管委.xlsx"
    edit(
        copy,
        {
            ("2023H2-0001", "整改措施"): 3.0,
            ("2023H2-0001", "复查时间"): dt.datetime(2024, 3, 20, 9, 30),
            ("2023H2-0003", "销号日期"): dt.datetime(2024, 3, 21),
            ("2023H2-0003", "责任人"): 13812345678,
        },
    )
    book = openpyxl.load_workbook(copy)
    sheet = book["整改台账"]
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == "2023H2-0004")
    sheet.cell(row, 13).value = "#N/A"  # openpyxl writes it as an error cell (t="e")
    book.save(copy)
    from mytool.ledger.workbook import load_ledger

    found = load_ledger(copy)
    values = {e.id: e.values for e in found.entries}
    assert values["2023H2-0001"]["整改措施"] == "3"
    assert values["2023H2-0001"]["复查时间"] == dt.date(2024, 3, 20)
    assert values["2023H2-0003"]["销号日期"] == dt.date(2024, 3, 21)
    assert values["2023H2-0003"]["责任人"] == "13812345678"
    assert values["2023H2-0004"]["状态"] == "#N/A"
    assert any("「#N/A」不是有效状态" in issue.message for issue in found.issues)


def test_the_columns_people_fill_in_have_room_and_the_header_prints_on_every_page(ledger):
    sheet = openpyxl.load_workbook(ledger)["整改台账"]
    header = [c.value for c in sheet[2]]
    width = {
        name: sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
        for i, name in enumerate(header)
    }
    assert width["整改措施"] >= 22 and width["整改进展"] >= 22  # about 3.5 cm on A4, not 1 cm
    assert width["复查结论"] >= 12 and width["责任人"] >= 9
    assert sheet.print_title_rows == "$2:$2"
