"""A small flow that exercises every question kind."""

SMALL_FLOW = """
id: small
title: 测试材料
version: 1
meeting: 组织生活会
year: 2026
template: small.j2
intro: 开始吧。
sections:
  - id: s1
    title: 第一部分
    guide: 这一部分问学习。
    target_chars: 20
    questions:
      - id: good
        kind: long_text
        prompt: 做得好的地方？
        optional: true
        max_chars: 50
      - id: problems
        kind: repeat
        role: problems
        prompt: 存在的问题
        item_name: 个问题
        min: 1
        max: 3
        questions:
          - id: summary
            kind: text
            prompt: 概括
            min_chars: 2
            max_chars: 10
          - id: case
            kind: long_text
            prompt: 实例
            optional: true
            target_chars: 10
            samples:
              - 今年只参加了××次学习。
              - 比如××月的会上我没有发言。
  - id: s2
    title: 第二部分
    questions:
      - id: area
        kind: choice
        prompt: 哪个方面？
        options: [学习, 工作, 作风]
      - id: tags
        kind: multi
        prompt: 涉及哪些？
        options:
          - {id: a, label: 甲}
          - {id: b, label: 乙}
      - id: has_more
        kind: yesno
        prompt: 还有补充吗？
      - id: more
        kind: text
        prompt: 补充什么？
        when: has_more
      - id: unit
        kind: text
        prompt: 单位
        default: 某某镇
"""
