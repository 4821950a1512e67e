"""Chinese text to search terms: jieba's search-mode segmentation, the hall's own vocabulary,
synonyms customers use for the same thing, and stop words dropped. Pure: no I/O beyond jieba's
bundled dictionary, loaded once per process."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Words jieba's general dictionary splits wrongly or does not know; without them "出账期" or
# "转人工" fall apart into single characters that match everything.
HALL_WORDS = _words(
    "出账期 出账中 出账 转人工 人工客服 验证码 图形验证码 短信验证码 服务密码 初始密码 随机密码 "
    "扫码登录 流量包 加油包 月末包 半年包 定向流量 畅游包 国际漫游 漫游 港澳台 日韩 东南亚 靓号 "
    "实名 实名认证 身份证 积分 积分商城 成长值 成长树 秒杀 抢光 网购节 详单 话费 余额 充值卡 "
    "自动充值 到账 未到账 没到账 组合套餐 全国组合 不限量 限速 来电显示 视频彩铃 呼叫转移 "
    "信用额度 停机 复机 销户 过户 工单 预存 最低消费 低消 合约期 解锁 锁定 5G 4G"
)

# A customer's word -> the word the articles use (both are kept: the query gets both).
SYNONYMS = {
    "话费": "余额",
    "钱": "余额",
    "交费": "充值",
    "缴费": "充值",
    "充钱": "充值",
    "冲值": "充值",
    "没到账": "未到账",
    "不到账": "未到账",
    "没收到": "收不到",
    "收不到": "没收到",
    "验证码": "短信验证码",
    "锁了": "锁定",
    "被锁": "锁定",
    "冻结": "锁定",
    "换套餐": "改套餐",
    "变更": "改套餐",
    "清零": "过期",
    "失效": "过期",
    "作废": "过期",
    "出国": "国际漫游",
    "境外": "国际漫游",
    "国外": "国际漫游",
    "香港": "港澳台",
    "澳门": "港澳台",
    "台湾": "港澳台",
    "日本": "日韩",
    "韩国": "日韩",
    "泰国": "东南亚",
    "新加坡": "东南亚",
    "美国": "北美",
    "加拿大": "北美",
    "澳洲": "澳大利亚",
    "抢购": "秒杀",
    "抢": "秒杀",
    "选号": "靓号",
    "清单": "详单",
    "通话记录": "详单",
    "人工": "转人工",
    "客服": "人工客服",
    "投诉": "工单",
    "反馈": "工单",
    "欠费": "停机",
    "注销": "销户",
    "流量": "流量包",
    "开票": "发票",
}

STOP_WORDS = frozenset(
    _words(
        "的 了 吗 呢 吧 啊 呀 么 我 你 您 他 她 它 我们 是 在 有 和 与 或 就 都 也 "
        "还 又 把 被 给 让 "
        "怎么 怎么办 怎样 如何 什么 为什么 为啥 啥 哪 哪些 哪里 多少 多久 "
        "几 一下 一个 这个 那个 这 那 "
        "请问 请 能 能不能 可以 可不可以 会 要 想 需要 应该 到底 已经 一直 老是 总是 没 没有 不 "
        "吗? 时候 现在 今天 问 问题 帮 帮我 下 上 个 后 前 里 中 说 看 用"
    )
)

_WORD = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in HALL_WORDS:
        tokenizer.add_word(word.lower(), freq=200_000)
    return tokenizer


def terms(text: str) -> list[str]:
    """The search terms of `text`, repeated as often as they occur."""
    found: list[str] = []
    for chunk in _WORD.findall(text.lower()):
        for token in _tokenizer().cut_for_search(chunk):
            token = token.strip()
            if token and token not in STOP_WORDS:
                found.append(token)
    return found


def query_terms(text: str) -> list[str]:
    """The terms of a customer's question, with the words the articles use for them added."""
    found = terms(text)
    return found + [SYNONYMS[t] for t in found if t in SYNONYMS]
